package dnsname

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	valid := map[string]struct {
		name   string
		labels int
	}{
		"localhost":                    {"localhost", 1},
		"Example.COM.":                 {"example.com", 2},
		"xn--bcher-kva.example":        {"xn--bcher-kva.example", 2},
		"1e100.net":                    {"1e100.net", 2},
		strings.Repeat("a", 63) + ".x": {strings.Repeat("a", 63) + ".x", 2},
	}
	for in, want := range valid {
		name, labels, ok := Normalize(in)
		if !ok || name != want.name || labels != want.labels {
			t.Errorf("Normalize(%q) = %q, %d, %v; want %q, %d", in, name, labels, ok, want.name, want.labels)
		}
	}
	long := strings.Repeat(strings.Repeat("a", 62)+".", 4) + "com" // 255 characters
	for _, in := range []string{
		"", ".", "example..com", ".example.com", "-example.com", "example-.com", "exa_mple.com",
		"exa mple.com", " localhost", "300.1.1.1", "123", strings.Repeat("a", 64) + ".com", long,
		"bücher.example", "-h", "a;b", "a\nb",
	} {
		if name, _, ok := Normalize(in); ok {
			t.Errorf("Normalize(%q) = %q, want a refusal", in, name)
		}
	}
}
