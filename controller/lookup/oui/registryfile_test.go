package oui

import (
	"strings"
	"testing"
)

func TestParseRegistryFormats(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want []assignment
	}{
		"csv with every size": {
			in: "Registry,Assignment,Organization Name,Organization Address\n" +
				"MA-L,001C42,\"Parallels, Inc.\",Somewhere\n" +
				"MA-M,741AE09, Northwind Sensors Ltd ,\"multi\nline address\"\n" +
				"MA-S,70B3D5F2F,Contoso Telemetry GmbH,\n",
			want: []assignment{{24, 0x001C42, "Parallels, Inc."}, {28, 0x741AE09, "Northwind Sensors Ltd"}, {36, 0x70B3D5F2F, "Contoso Telemetry GmbH"}},
		},
		"csv with byte order mark": {
			in:   "\ufeffRegistry,Assignment,Organization Name,Organization Address\nMA-L,00005E,\"ICANN, IANA Department\",x\n",
			want: []assignment{{24, 0x00005E, "ICANN, IANA Department"}},
		},
		"text MA-L": {
			in:   "00-1C-42   (hex)\t\tParallels, Inc.\r\n001C42     (base 16)\t\tParallels, Inc.\r\n\t\t\t\tRenton WA\r\n",
			want: []assignment{{24, 0x001C42, "Parallels, Inc."}},
		},
		"text MA-M and MA-S ranges": {
			in: "74-1A-E0   (hex)\t\tNorthwind\n900000-9FFFFF     (base 16)\t\tNorthwind\n\n" +
				"70-B3-D5   (hex)\t\tContoso\nF2F000-F2FFFF     (base 16)\t\tContoso\n",
			want: []assignment{{28, 0x741AE09, "Northwind"}, {36, 0x70B3D5F2F, "Contoso"}},
		},
	}
	for name, tc := range tests {
		got, err := parseRegistry(strings.NewReader(tc.in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %+v, want %+v", name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: entry %d = %+v, want %+v", name, i, got[i], tc.want[i])
			}
		}
	}
}

func TestParseRegistryErrors(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"empty":                   "",
		"not a registry":          "hello\nworld\n",
		"csv bad assignment":      "Registry,Assignment,Organization Name,Organization Address\nMA-L,00ZZ42,X,Y\n",
		"csv odd assignment size": "Registry,Assignment,Organization Name,Organization Address\nMA-L,001C4,X,Y\n",
		"csv too few fields":      "Registry,Assignment,Organization Name,Organization Address\nMA-L,001C42\n",
		"csv header only":         "Registry,Assignment,Organization Name,Organization Address\n",
		"text base16 first":       "001C42     (base 16)\t\tX\n",
		"text bad hex line":       "00-1C-4G   (hex)\t\tX\n001C4G     (base 16)\t\tX\n",
		"text block mismatch":     "00-1C-42   (hex)\t\tX\n001C43     (base 16)\t\tX\n",
		"text bad range end":      "74-1A-E0   (hex)\t\tX\n900000-9FFFFE     (base 16)\t\tX\n",
		"text 32-bit range":       "74-1A-E0   (hex)\t\tX\n900000-90FFFF     (base 16)\t\tX\n",
	} {
		if got, err := parseRegistry(strings.NewReader(in)); err == nil {
			t.Errorf("%s: parsed %+v, want an error", name, got)
		}
	}
}
