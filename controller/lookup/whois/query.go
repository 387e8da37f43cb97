package whois

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/ipaddr"
)

// ErrInvalidQuery means the input is neither an IP address nor a domain
// name; the API answers 400. Nothing has been sent anywhere.
var ErrInvalidQuery = errors.New("invalid WHOIS query: want an IP address or a domain name")

// maxDomainLength is the longest domain name DNS allows (RFC 1035), without
// the trailing dot.
const maxDomainLength = 253

// Query is a validated WHOIS query in its normalised form: an IP address in
// canonical text, or a lower-case domain name without a trailing dot. Being
// one of these two shapes, it can never carry server flags (-h, -T), command
// separators or line breaks to a server.
type Query struct {
	text string
	addr netip.Addr // valid for IP queries
}

// ParseQuery validates s before any network work.
func ParseQuery(s string) (Query, error) {
	if addr, err := ipaddr.Parse(s); err == nil {
		return Query{text: addr.String(), addr: addr}, nil
	}
	if name, ok := normalizeDomain(s); ok {
		return Query{text: name}, nil
	}
	return Query{}, ErrInvalidQuery
}

// String is the normalised query, which is also the cache key.
func (q Query) String() string { return q.text }

func (q Query) isIP() bool { return q.addr.IsValid() }

// normalizeDomain accepts an ASCII host name of at least two labels, each
// 1–63 letters, digits or hyphens not starting or ending with a hyphen, the
// last not all digits (so 300.1.1.1 is not taken for a name). Internationalised
// names must be given in their xn-- form.
func normalizeDomain(s string) (string, bool) {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > maxDomainLength {
		return "", false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, label := range labels {
		if !validLabel(label) {
			return "", false
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", false
	}
	return strings.ToLower(s), true // only ASCII is left, so ToLower cannot change lengths
}

func validLabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
