// Package clientip decides which address a request comes from: the TCP
// peer, or, behind a trusted reverse proxy, the address it forwarded.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// Resolver knows which peers are trusted proxies.
type Resolver struct {
	Trusted []netip.Prefix
}

// Of is the TCP peer, unless the peer is a trusted proxy: then the
// right-most X-Forwarded-For address that is not itself a trusted proxy
// (entries to its left can be forged by the client), else X-Real-IP.
func (res Resolver) Of(r *http.Request) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if !res.trusted(peer) {
		return peer
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		for _, hop := range slices.Backward(hops) {
			addr, err := netip.ParseAddr(strings.TrimSpace(hop))
			if err != nil {
				break
			}
			if addr = addr.Unmap(); !res.trusted(addr) {
				return addr
			}
		}
	}
	if addr, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Real-IP"))); err == nil {
		return addr.Unmap()
	}
	return peer
}

// String is Of as text, for rate-limit keys and logs.
func (res Resolver) String(r *http.Request) string { return res.Of(r).String() }

func (res Resolver) trusted(addr netip.Addr) bool {
	return slices.ContainsFunc(res.Trusted, func(p netip.Prefix) bool { return p.Contains(addr) })
}

func remoteAddr(hostport string) netip.Addr {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap()
}
