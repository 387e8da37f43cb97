package testenv

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/lookup/dnstest"
	"github.com/netwatcher/netwatcher/controller/lookup/oui"
)

// lookupDefaults keep test controllers hermetic and quick to start: no OUI
// registry (reading Debian's takes a tenth of a second, on every start) and
// no name server but /etc/hosts. Tests opt in with the options below.
func lookupDefaults() config.Lookups {
	return config.Lookups{OUIPath: oui.Disabled, Resolver: dnstest.Unreachable()}
}

// WithGeoIPFiles sets NETWATCHER_GEOIP_CITY, NETWATCHER_GEOIP_COUNTRY and
// NETWATCHER_GEOIP_ASN.
func WithGeoIPFiles(city, country, asn []string) Option {
	return func(c *config.Config) {
		c.Lookups.GeoIPCity, c.Lookups.GeoIPCountry, c.Lookups.GeoIPASN = city, country, asn
	}
}

// WithGeoIPDir lets fill write .mmdb files into <data-dir>/geoip before the
// controller starts, as an operator would drop them there.
func WithGeoIPDir(fill func(dir string)) Option {
	return func(c *config.Config) {
		dir := filepath.Join(c.DataDir, "geoip")
		_ = os.MkdirAll(dir, 0o700) // a failure surfaces when fill writes there
		fill(dir)
	}
}

// WithOUIPath sets NETWATCHER_OUI_PATH (test controllers default to none).
func WithOUIPath(path string) Option {
	return func(c *config.Config) { c.Lookups.OUIPath = path }
}

// WithWhois points the WHOIS client at test servers: root is asked first
// (empty: whois.iana.org:43) and dial opens every connection, e.g.
// whoistest.Network.Dial, which maps server names to loopback servers.
func WithWhois(root string, dial func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(c *config.Config) { c.Lookups.WhoisRootServer, c.Lookups.WhoisDial = root, dial }
}

// WithWhoisTimeout sets NETWATCHER_WHOIS_TIMEOUT.
func WithWhoisTimeout(d time.Duration) Option {
	return func(c *config.Config) { c.Lookups.WhoisTimeout = d }
}

// WithResolver answers reverse DNS and host names from r, e.g. a
// dnstest.Server's (test controllers default to /etc/hosts only).
func WithResolver(r *net.Resolver) Option {
	return func(c *config.Config) { c.Lookups.Resolver = r }
}

// WithLookupRateLimit turns the lookup limiter on (tests default to off).
func WithLookupRateLimit(perMinute int) Option {
	return func(c *config.Config) { c.Lookups.RateLimit = perMinute }
}
