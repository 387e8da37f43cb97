package metrics

import (
	"slices"
	"testing"
)

func mustParseSignature(t *testing.T, text string) Signature {
	t.Helper()
	s, err := ParseSignature(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRouteChanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, prev, cur string
		want            bool
	}{
		{"same path", "10.0.0.1|10.1.0.1|8.8.8.8", "10.0.0.1|10.1.0.1|8.8.8.8", false},
		{"silent hop matches anything", "10.0.0.1|*|8.8.8.8", "10.0.0.1|10.1.0.1|8.8.8.8", false},
		{"hop went silent", "10.0.0.1|10.1.0.1|8.8.8.8", "10.0.0.1|*|8.8.8.8", false},
		{"ECMP sets overlap", "10.0.0.1|10.1.0.1,10.1.0.2|8.8.8.8", "10.0.0.1|10.1.0.2,10.1.0.3|8.8.8.8", false},
		{"ECMP set replaced", "10.0.0.1|10.1.0.1,10.1.0.2|8.8.8.8", "10.0.0.1|10.2.0.1|8.8.8.8", true},
		{"different hop", "10.0.0.1|10.1.0.1|8.8.8.8", "10.0.0.1|10.9.0.1|8.8.8.8", true},
		{"longer path", "10.0.0.1|8.8.8.8", "10.0.0.1|10.1.0.1|8.8.8.8", true},
		{"destination stopped answering", "10.0.0.1|8.8.8.8", "10.0.0.1|*|*", true},
	}
	for _, tt := range tests {
		if got := RouteChanged(mustParseSignature(t, tt.prev), mustParseSignature(t, tt.cur)); got != tt.want {
			t.Errorf("%s: RouteChanged(%s, %s) = %v, want %v", tt.name, tt.prev, tt.cur, got, tt.want)
		}
	}
}

func TestSignatureTextRoundTrip(t *testing.T) {
	t.Parallel()
	s := Signature{{"192.168.1.1"}, nil, {"2001:db8::1", "2001:db8::2"}, {"8.8.8.8"}}
	text := s.String()
	if text != "192.168.1.1|*|2001:db8::1,2001:db8::2|8.8.8.8" {
		t.Fatalf("String() = %q", text)
	}
	back := mustParseSignature(t, text)
	if !slices.EqualFunc(back, s, slices.Equal) {
		t.Errorf("ParseSignature(%q) = %q, want %q", text, back, s)
	}
	if empty := mustParseSignature(t, ""); empty != nil || Signature(nil).String() != "" {
		t.Errorf("empty signature does not round-trip: %q", empty)
	}
	for _, bad := range []string{"10.0.0.1||8.8.8.8", "10.0.0.1,|8.8.8.8", "|"} {
		if _, err := ParseSignature(bad); err == nil {
			t.Errorf("ParseSignature(%q) accepted an empty responder", bad)
		}
	}
}
