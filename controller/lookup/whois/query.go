package whois

import (
	"errors"
	"net/netip"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/dnsname"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/ipaddr"
)

// ErrInvalidQuery means the input is neither an IP address nor a domain
// name; the API answers 400. Nothing has been sent anywhere.
var ErrInvalidQuery = errors.New("invalid WHOIS query: want an IP address or a domain name")

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

// normalizeDomain accepts a host name of at least two labels (see
// dnsname.Normalize): single labels are not registered anywhere.
func normalizeDomain(s string) (string, bool) {
	name, labels, ok := dnsname.Normalize(s)
	return name, ok && labels >= 2
}
