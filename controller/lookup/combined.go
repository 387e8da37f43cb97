package lookup

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/lookup/geoip"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/dnsname"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/ipaddr"
	"github.com/netwatcher/netwatcher/controller/lookup/whois"
)

// resolveTimeout bounds resolving the host name of a combined lookup.
const resolveTimeout = 5 * time.Second

// Combined is the answer of GET /lookup/combined. A part that failed is
// left out and its message put under Errors (only failed parts appear).
type Combined struct {
	IP string `json:"ip"`
	// Hostname is the name asked about, when the input was one.
	Hostname string        `json:"hostname,omitempty"`
	GeoIP    *geoip.Result `json:"geoip,omitempty"`
	Whois    *whois.Result `json:"whois,omitempty"`
	// Cached and CacheTime repeat the WHOIS answer's: it is the only part
	// fetched from elsewhere (GeoIP is read from local files).
	Cached    bool              `json:"cached,omitempty"`
	CacheTime time.Time         `json:"cache_time,omitzero"`
	Errors    map[string]string `json:"errors,omitempty"`
}

// Combined looks up an IP address, or the first address a host name
// resolves to, in GeoIP and WHOIS. Only bad input (400) and a host name that
// cannot be resolved (404, 503, 504) fail the whole lookup.
func (s *Service) Combined(ctx context.Context, input string) (Combined, error) {
	addr, host, err := s.target(ctx, input)
	if err != nil {
		return Combined{}, err
	}
	c := Combined{IP: addr.String(), Hostname: host}
	errs := map[string]string{}
	switch geo, err := s.geo.Lookup(c.IP); {
	case err == nil:
		c.GeoIP = &geo
	case errors.Is(err, geoip.ErrNotConfigured):
		errs["geoip"] = err.Error()
	default:
		s.log.Warn("geoip lookup", "ip", c.IP, "err", err)
		errs["geoip"] = "GeoIP lookup failed"
	}
	if w, err := s.Whois(ctx, c.IP); err == nil {
		c.Whois, c.Cached, c.CacheTime = &w, w.Cached, w.CacheTime
	} else if e, ok := apperr.As(err); ok {
		errs["whois"] = e.Msg
	} else {
		s.log.Warn("whois lookup", "ip", c.IP, "err", err)
		errs["whois"] = "WHOIS lookup failed"
	}
	if len(errs) > 0 {
		c.Errors = errs
	}
	return c, nil
}

// target is the address a combined lookup is about: the input itself, or
// the first address its host name resolves to (Go's resolver orders them by
// RFC 6724, as a client connecting to the name would try them), with the
// normalised name.
func (s *Service) target(ctx context.Context, input string) (netip.Addr, string, error) {
	if input == "" {
		return netip.Addr{}, "", apperr.Invalidf("query parameter ip is required: an IP address or a host name")
	}
	if addr, err := ipaddr.Parse(input); err == nil {
		return addr, "", nil
	}
	host, _, ok := dnsname.Normalize(input)
	if !ok {
		return netip.Addr{}, "", apperr.Invalidf("ip %s is neither an IP address nor a host name", shown(input))
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := s.resolver.LookupNetIP(ctx, "ip", host)
	var dnsErr *net.DNSError
	switch {
	case err == nil && len(addrs) > 0:
		return addrs[0].Unmap(), host, nil
	case err == nil, errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return netip.Addr{}, "", apperr.NotFoundf("host name %s does not resolve to an address", shown(host))
	case errors.Is(err, context.DeadlineExceeded), dnsErr != nil && dnsErr.IsTimeout:
		return netip.Addr{}, "", &apperr.Error{Kind: apperr.Timeout, Err: err,
			Msg: fmt.Sprintf("resolving host name %s timed out after %v", shown(host), resolveTimeout)}
	}
	return netip.Addr{}, "", apperr.Unavailablef(err, "could not resolve host name %s", shown(host))
}
