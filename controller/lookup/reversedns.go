package lookup

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/lru"
)

const (
	// rdnsTimeout bounds one PTR query: whoami and IP lookups answer
	// without a name rather than keep an agent or a user waiting.
	rdnsTimeout = 2 * time.Second
	// rdnsTTL and rdnsNegativeTTL are how long a name, and the absence of
	// one, are remembered. net.Resolver does not expose record TTLs; PTR
	// records rarely change, and an hour keeps renamed hosts from being
	// reported wrongly for long.
	rdnsTTL         = time.Hour
	rdnsNegativeTTL = 5 * time.Minute
	rdnsCacheSize   = 10000
)

// reverseDNS names addresses by their PTR records, remembering answers in a
// bounded LRU. Failures other than "no such name" (timeouts, unreachable
// servers) are not remembered, so the next request tries again.
type reverseDNS struct {
	resolver *net.Resolver
	cache    *lru.Cache[netip.Addr, string] // "" caches "no name"
}

func newReverseDNS(resolver *net.Resolver) *reverseDNS {
	return &reverseDNS{resolver: resolver, cache: lru.New[netip.Addr, string](rdnsCacheSize, nil)}
}

// name returns the first PTR name of addr without its trailing dot, and
// whether there is one.
func (r *reverseDNS) name(ctx context.Context, addr netip.Addr) (string, bool) {
	if name, ok := r.cache.Get(addr); ok {
		return name, name != ""
	}
	ctx, cancel := context.WithTimeout(ctx, rdnsTimeout)
	defer cancel()
	// LookupAddr may return valid names beside an error about invalid ones.
	names, err := r.resolver.LookupAddr(ctx, addr.String())
	if len(names) > 0 {
		name := strings.TrimSuffix(names[0], ".")
		r.cache.Put(addr, name, rdnsTTL)
		return name, true
	}
	var dnsErr *net.DNSError
	if err == nil || errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		r.cache.Put(addr, "", rdnsNegativeTTL)
	}
	return "", false
}
