package oui

import (
	"errors"
	"testing"
)

func TestParseMACFormats(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"00:1C:42:AB:CD:EF", "00:1c:42:ab:cd:ef", "00-1C-42-AB-CD-EF", "00-1c-42-ab-cd-ef",
		"001C42ABCDEF", "001c42abcdef", "001c.42ab.cdef", "001C.42AB.CDEF", "00:1c:42:AB:cd:EF",
	} {
		m, err := parseMAC(in)
		if err != nil {
			t.Errorf("parseMAC(%q): %v", in, err)
			continue
		}
		if m.String() != "00:1C:42:AB:CD:EF" || m.oui() != "00-1C-42" {
			t.Errorf("parseMAC(%q) = %s / %s", in, m, m.oui())
		}
	}
	if m, _ := parseMAC("ff:ff:ff:ff:ff:ff"); m.String() != "FF:FF:FF:FF:FF:FF" {
		t.Errorf("broadcast address read as %s", m)
	}
}

func TestParseMACRejectsMalformed(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "00:1C:42", "001C42", "00-1C-42", // bare OUI prefixes
		"00:1C:42:AB:CD", "00:1C:42:AB:CD:EF:01", "00:1C:42:AB:CD:EF:01:02", // wrong length, EUI-64
		"00:1C-42:AB:CD:EF", "00-1C-42-AB-CD:EF", // mixed separators
		"0:1C:42:AB:CD:EF:", "0:1C:42:AB:CD:EF", "00:1C:42:AB:CD:EG", "001C42ABCDEG", "+01C42ABCDEF",
		"00 1C 42 AB CD EF", "00_1C_42_AB_CD_EF", "00.1C.42.AB.CD.EF", "001c42.abcdef", "001c.42ab.cdef.0000",
		" 00:1C:42:AB:CD:EF", "00:1C:42:AB:CD:EF\n", "001c:42ab:cdef", "0x1C42ABCDEF",
	} {
		if m, err := parseMAC(in); !errors.Is(err, ErrInvalidMAC) {
			t.Errorf("parseMAC(%q) = %s, %v; want ErrInvalidMAC", in, m, err)
		}
	}
}
