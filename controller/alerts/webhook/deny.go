package webhook

import (
	"fmt"
	"net/netip"
	"slices"
	"syscall"
)

// DefaultDeny is used when NETWATCHER_WEBHOOK_DENY is unset: loopback,
// link-local (which holds cloud metadata services) and unspecified
// addresses, in both families.
var DefaultDeny = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("::/128"),
}

// DeniedError reports a destination address on the deny list.
type DeniedError struct{ Addr netip.Addr }

func (e *DeniedError) Error() string {
	return fmt.Sprintf("destination %s is refused by NETWATCHER_WEBHOOK_DENY", e.Addr)
}

// denyList decides which resolved addresses a webhook may connect to.
type denyList []netip.Prefix

// check refuses addr when a deny prefix holds it. IPv4-mapped IPv6
// addresses are unmapped first, so ::ffff:127.0.0.1 is loopback too.
func (d denyList) check(addr netip.Addr) error {
	addr = addr.Unmap()
	if slices.ContainsFunc(d, func(p netip.Prefix) bool { return p.Contains(addr) }) {
		return &DeniedError{Addr: addr}
	}
	return nil
}

// control runs in net.Dialer.Control, after name resolution and just before
// connect(2), with the address actually dialled. Checking here rather than
// on the URL's host is what stops DNS rebinding: whatever a name resolves
// to at delivery time, the socket never connects to a denied address.
func (d denyList) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook dial: unexpected address %q: %w", address, err)
	}
	return d.check(ap.Addr())
}
