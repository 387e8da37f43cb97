package lookup

import (
	"errors"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/lookup/geoip"
)

// GeoIP locates one address: 400 for anything but an IP address (also when
// no database is loaded), then 503 when none is.
func (s *Service) GeoIP(ip string) (geoip.Result, error) {
	if ip == "" {
		return geoip.Result{}, apperr.Invalidf("query parameter ip is required")
	}
	res, err := s.geo.Lookup(ip)
	return res, geoIPError(ip, err)
}

// GeoIPItem is one entry of a bulk answer: the result, or the address as
// given with the reason it failed.
type GeoIPItem struct {
	geoip.Result
	Error string `json:"error,omitempty"`
}

// GeoIPBulk locates up to MaxBulk addresses in parallel (geoip.LookupMany),
// in input order.
func (s *Service) GeoIPBulk(ips []string) ([]GeoIPItem, error) {
	if err := checkBulk("ips", len(ips), "IP address"); err != nil {
		return nil, err
	}
	if s.geo.Status() == (geoip.Status{}) {
		return nil, errGeoIPNotConfigured
	}
	items := make([]GeoIPItem, len(ips))
	for i, r := range s.geo.LookupMany(ips) {
		switch {
		case r.Err == nil:
			items[i] = GeoIPItem{Result: r.Result}
		case errors.Is(r.Err, geoip.ErrInvalidIP), errors.Is(r.Err, geoip.ErrNotConfigured):
			items[i] = GeoIPItem{Result: geoip.Result{IP: ips[i]}, Error: r.Err.Error()}
		default:
			s.log.Warn("geoip lookup", "ip", ips[i], "err", r.Err)
			items[i] = GeoIPItem{Result: geoip.Result{IP: ips[i]}, Error: "GeoIP lookup failed"}
		}
	}
	return items, nil
}

// GeoIPStatus reports which kinds of database are loaded.
func (s *Service) GeoIPStatus() geoip.Status { return s.geo.Status() }
