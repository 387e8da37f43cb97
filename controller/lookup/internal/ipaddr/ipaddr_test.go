package ipaddr

import "testing"

func TestParse(t *testing.T) {
	t.Parallel()
	valid := map[string]string{
		"8.8.8.8":              "8.8.8.8",
		"2001:DB8::1":          "2001:db8::1",
		"::ffff:192.0.2.1":     "192.0.2.1",
		"::ffff:c000:201":      "192.0.2.1",
		"2001:4860:4860::8888": "2001:4860:4860::8888",
	}
	for in, want := range valid {
		got, err := Parse(in)
		if err != nil || got.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "8.8.8", "8.8.8.8 ", "fe80::1%eth0", "fe80::1%x\nquit", "example.com", "1.2.3.4/24", "08.8.8.8"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %v, want error", in, got)
		}
	}
}
