package lookup

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/lookup/geoip"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/ipaddr"
)

// IPReport is the answer of GET /lookup/ip/{ip} and of the agents' whoami
// and lookup/ip: what is known about one address. GeoIP and ReverseDNS are
// left out when not available (no database, no PTR record).
type IPReport struct {
	IP         string         `json:"ip"`
	GeoIP      *geoip.Details `json:"geoip,omitempty"`
	ReverseDNS string         `json:"reverse_dns,omitempty"`
	Timestamp  time.Time      `json:"timestamp"`
}

// ParseIP reads an address from user input by the rule every lookup shares:
// IPv4-mapped addresses become IPv4, zones are refused.
func ParseIP(s string) (netip.Addr, error) {
	addr, err := ipaddr.Parse(s)
	if err != nil {
		return netip.Addr{}, apperr.Invalidf("%s is not an IP address", shown(s))
	}
	return addr, nil
}

// Report gathers what is known about addr. It never fails: parts that
// cannot be had are left out (reverse DNS waits at most rdnsTimeout).
func (s *Service) Report(ctx context.Context, addr netip.Addr) IPReport {
	rep := IPReport{IP: addr.String()}
	switch res, err := s.geo.Lookup(rep.IP); {
	case err == nil && res.Details != (geoip.Details{}):
		rep.GeoIP = &res.Details
	case err != nil && !errors.Is(err, geoip.ErrNotConfigured):
		s.log.Warn("geoip lookup", "ip", rep.IP, "err", err)
	}
	rep.ReverseDNS, _ = s.rdns.name(ctx, addr)
	rep.Timestamp = time.Now().UTC()
	return rep
}
