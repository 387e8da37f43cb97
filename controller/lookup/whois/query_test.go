package whois

import (
	"errors"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	valid := map[string]string{
		"8.8.8.8":                      "8.8.8.8",
		"2001:4860:4860::8888":         "2001:4860:4860::8888",
		"2001:4860:4860:0:0:0:0:8888":  "2001:4860:4860::8888",
		"::ffff:8.8.8.8":               "8.8.8.8",
		"example.com":                  "example.com",
		"Example.COM.":                 "example.com",
		"xn--bcher-kva.example":        "xn--bcher-kva.example",
		"a-b.c-d.co.uk":                "a-b.c-d.co.uk",
		"1e100.net":                    "1e100.net",
		strings.Repeat("a", 63) + ".x": strings.Repeat("a", 63) + ".x",
	}
	for in, want := range valid {
		q, err := ParseQuery(in)
		if err != nil || q.String() != want {
			t.Errorf("ParseQuery(%q) = %q, %v; want %q", in, q, err, want)
		}
	}
	long := strings.Repeat(strings.Repeat("a", 62)+".", 4) + "com" // 255 characters
	for _, in := range []string{
		"", " ", "com", "localhost", "example", ".", "example..com", ".example.com", "example.com..",
		"-example.com", "example-.com", "exa_mple.com", "exa mple.com", "example.com ", " example.com",
		"123.456", "300.1.1.1", "1.2.3.04", strings.Repeat("a", 64) + ".com", long,
		"例え.jp", "bücher.example", "\u212Aelvin.example",
		"8.8.8.8/24", "fe80::1%eth0", "AS15169",
	} {
		if q, err := ParseQuery(in); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("ParseQuery(%q) = %q, %v; want ErrInvalidQuery", in, q, err)
		}
	}
}

// FuzzParseQuery checks that whatever is accepted is one of the two safe
// shapes, so nothing else can reach a server.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{"8.8.8.8", "example.com", "-h evil.example 8.8.8.8", "a.b\r\nquit", "::1", "x.y;ls"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, err := ParseQuery(in)
		if err != nil {
			return
		}
		s := q.String()
		if len(s) > 253 || strings.HasPrefix(s, "-") { // 253: the longest DNS name
			t.Fatalf("accepted %q from %q", s, in)
		}
		for _, c := range s {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':') {
				t.Fatalf("query %q from %q holds %q", s, in, c)
			}
		}
	})
}
