package whois

import (
	"fmt"
	"net/netip"
)

// reservedRange is a special-purpose block (IANA's IPv4 and IPv6
// special-purpose registries, RFC 6890). No registry holds records for them,
// so they are answered here without opening a connection.
type reservedRange struct {
	prefix  netip.Prefix
	netname string
	about   string
}

var reservedRanges = func() []reservedRange {
	table := []struct{ prefix, netname, about string }{
		{"0.0.0.0/8", "THIS-NETWORK", "\"this network\" (RFC 791)"},
		{"0.0.0.0/32", "UNSPECIFIED-ADDRESS", "the unspecified address (RFC 1122)"},
		{"10.0.0.0/8", "PRIVATE-ADDRESS-SPACE", "private-use address space (RFC 1918)"},
		{"100.64.0.0/10", "SHARED-ADDRESS-SPACE", "shared address space for carrier-grade NAT (RFC 6598)"},
		{"127.0.0.0/8", "LOOPBACK-ADDRESS", "loopback (RFC 1122)"},
		{"169.254.0.0/16", "LINK-LOCAL-ADDRESS", "link-local (RFC 3927)"},
		{"172.16.0.0/12", "PRIVATE-ADDRESS-SPACE", "private-use address space (RFC 1918)"},
		{"192.0.0.0/24", "IETF-PROTOCOL-ASSIGNMENTS", "IETF protocol assignments (RFC 6890)"},
		{"192.0.2.0/24", "DOCUMENTATION-ADDRESS", "documentation, TEST-NET-1 (RFC 5737)"},
		{"192.88.99.0/24", "6TO4-RELAY-ANYCAST", "the deprecated 6to4 relay anycast block (RFC 7526)"},
		{"192.168.0.0/16", "PRIVATE-ADDRESS-SPACE", "private-use address space (RFC 1918)"},
		{"198.18.0.0/15", "BENCHMARKING-ADDRESS", "network benchmarking (RFC 2544)"},
		{"198.51.100.0/24", "DOCUMENTATION-ADDRESS", "documentation, TEST-NET-2 (RFC 5737)"},
		{"203.0.113.0/24", "DOCUMENTATION-ADDRESS", "documentation, TEST-NET-3 (RFC 5737)"},
		{"224.0.0.0/4", "MULTICAST-ADDRESS", "multicast (RFC 5771)"},
		{"240.0.0.0/4", "RESERVED-ADDRESS", "reserved for future use (RFC 1112)"},
		{"255.255.255.255/32", "LIMITED-BROADCAST", "the limited broadcast address (RFC 919)"},
		{"::/8", "RESERVED-ADDRESS", "reserved by the IETF (RFC 4291)"},
		{"::/128", "UNSPECIFIED-ADDRESS", "the unspecified address (RFC 4291)"},
		{"::1/128", "LOOPBACK-ADDRESS", "loopback (RFC 4291)"},
		{"64:ff9b::/96", "NAT64-WELL-KNOWN-PREFIX", "the NAT64 well-known prefix (RFC 6052)"},
		{"64:ff9b:1::/48", "NAT64-LOCAL-USE", "local-use IPv4/IPv6 translation (RFC 8215)"},
		{"100::/64", "DISCARD-ONLY-ADDRESS", "discard-only addresses (RFC 6666)"},
		{"2001:db8::/32", "DOCUMENTATION-ADDRESS", "documentation (RFC 3849)"},
		{"3fff::/20", "DOCUMENTATION-ADDRESS", "documentation (RFC 9637)"},
		{"fc00::/7", "UNIQUE-LOCAL-ADDRESS", "unique local addresses (RFC 4193)"},
		{"fe80::/10", "LINK-LOCAL-ADDRESS", "link-local (RFC 4291)"},
		{"fec0::/10", "SITE-LOCAL-ADDRESS", "deprecated site-local addresses (RFC 3879)"},
		{"ff00::/8", "MULTICAST-ADDRESS", "multicast (RFC 4291)"},
	}
	ranges := make([]reservedRange, len(table))
	for i, r := range table {
		ranges[i] = reservedRange{netip.MustParsePrefix(r.prefix), r.netname, r.about}
	}
	return ranges
}()

// reservedAnswer describes addr if it is special-purpose. The most specific
// range wins (0.0.0.0 is the unspecified address, 0.0.0.1 "this network").
func reservedAnswer(addr netip.Addr) (Result, bool) {
	var best *reservedRange
	for i, r := range reservedRanges {
		if r.prefix.Contains(addr) && (best == nil || r.prefix.Bits() > best.prefix.Bits()) {
			best = &reservedRanges[i]
		}
	}
	if best == nil {
		return Result{}, false
	}
	raw := fmt.Sprintf("%% %s is in %s, %s.\n%% Special-purpose addresses are not registered to anyone;\n%% answered locally without querying a WHOIS server.\n\nnetrange: %s\nnetname:  %s\n",
		addr, best.prefix, best.about, best.prefix, best.netname)
	return Result{
		Query:     addr.String(),
		RawOutput: raw,
		Parsed:    Parsed{Netname: best.netname, Netrange: best.prefix.String()},
	}, true
}
