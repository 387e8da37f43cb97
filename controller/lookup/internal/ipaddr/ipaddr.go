// Package ipaddr holds the one rule GeoIP and WHOIS share for reading an IP
// address from user input, so both accept and normalise exactly the same set.
package ipaddr

import (
	"errors"
	"net/netip"
)

// Parse accepts an IPv4 or IPv6 address in its textual form. IPv4-mapped IPv6
// addresses (::ffff:192.0.2.1) become plain IPv4 so that caches, databases and
// reserved-range checks see one form. Zones (fe80::1%eth0) are refused: they
// name a local interface, mean nothing to a lookup, and may hold any text.
func Parse(s string) (netip.Addr, error) {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	if addr.Zone() != "" {
		return netip.Addr{}, errors.New("IP address with a zone")
	}
	return addr.Unmap(), nil
}
