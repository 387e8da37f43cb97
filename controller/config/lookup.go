package config

import (
	"context"
	"net"
	"time"
)

// Lookups are the settings of the GeoIP, OUI, WHOIS and combined lookups.
type Lookups struct {
	// GeoIPCity, GeoIPCountry and GeoIPASN list .mmdb files by kind;
	// <data-dir>/geoip is searched for the kinds not listed.
	GeoIPCity, GeoIPCountry, GeoIPASN []string
	// OUIPath is the IEEE registry: empty means Debian's file when present,
	// oui.Disabled ("none") turns vendor lookups off.
	OUIPath string
	// WhoisTimeout bounds one WHOIS lookup, referrals included.
	WhoisTimeout time.Duration
	// RateLimit is WHOIS, combined and bulk lookups per minute per user; 0 = off.
	RateLimit int

	// Tests point these at loopback servers (no flags). Resolver answers
	// reverse DNS and host names (nil: the system's); WhoisRootServer is
	// asked first (empty: whois.iana.org:43); WhoisDial opens every WHOIS
	// connection (nil: a plain dialer).
	Resolver        *net.Resolver
	WhoisRootServer string
	WhoisDial       func(ctx context.Context, network, addr string) (net.Conn, error)
}
