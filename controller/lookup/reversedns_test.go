package lookup

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/dnstest"
)

func TestReverseDNSNamesAndCaches(t *testing.T) {
	t.Parallel()
	named, v6, unnamed := netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7"), netip.MustParseAddr("192.0.2.8")
	server := dnstest.Start(t, dnstest.Zone{PTR: map[netip.Addr]string{named: "host7.example.test.", v6: "v6.example.test"}})
	r := newReverseDNS(server.Resolver())
	ctx := context.Background()

	for addr, want := range map[netip.Addr]string{named: "host7.example.test", v6: "v6.example.test"} {
		if name, ok := r.name(ctx, addr); !ok || name != want {
			t.Errorf("name(%s) = %q, %v; want %q", addr, name, ok, want)
		}
	}
	if name, ok := r.name(ctx, unnamed); ok {
		t.Errorf("name(%s) = %q for an address without PTR", unnamed, name)
	}
	asked := server.Queries()
	// Names and their absence are both remembered.
	for _, addr := range []netip.Addr{named, v6, unnamed} {
		r.name(ctx, addr)
	}
	if server.Queries() != asked {
		t.Errorf("repeated lookups asked the server %d more times", server.Queries()-asked)
	}
	// /etc/hosts still names loopback, without any DNS server.
	if name, ok := newReverseDNS(dnstest.Unreachable()).name(ctx, netip.MustParseAddr("127.0.0.1")); !ok || name == "" {
		t.Errorf("127.0.0.1 has no name from /etc/hosts: %q", name)
	}
}

func TestReverseDNSTimeoutIsNotRemembered(t *testing.T) {
	t.Parallel()
	server := dnstest.Start(t, dnstest.Zone{Unanswered: true})
	r := newReverseDNS(server.Resolver())
	addr := netip.MustParseAddr("192.0.2.9")
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		if name, ok := r.name(ctx, addr); ok {
			t.Errorf("a silent server named %s %q", addr, name)
		}
		cancel()
	}
	if _, cached := r.cache.Get(addr); cached {
		t.Error("a timeout was cached as \"no name\"")
	}
}
