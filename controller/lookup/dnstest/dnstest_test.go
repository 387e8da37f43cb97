package dnstest

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"
)

func TestResolverAsksTheServer(t *testing.T) {
	t.Parallel()
	s := Start(t, Zone{
		PTR:   map[netip.Addr]string{netip.MustParseAddr("192.0.2.7"): "host7.example.test", netip.MustParseAddr("2001:db8::7"): "v6.example.test."},
		Hosts: map[string][]netip.Addr{"www.example.test": {netip.MustParseAddr("192.0.2.80"), netip.MustParseAddr("2001:db8::80")}},
	})
	r := s.Resolver()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for addr, want := range map[string]string{"192.0.2.7": "host7.example.test.", "2001:db8::7": "v6.example.test."} {
		if names, err := r.LookupAddr(ctx, addr); err != nil || !slices.Equal(names, []string{want}) {
			t.Errorf("LookupAddr(%s) = %v, %v; want %s", addr, names, err, want)
		}
	}
	if _, err := r.LookupAddr(ctx, "192.0.2.8"); err == nil {
		t.Error("an address without PTR has a name")
	}
	addrs, err := r.LookupNetIP(ctx, "ip", "WWW.example.test")
	if err != nil || len(addrs) != 2 {
		t.Errorf("LookupNetIP = %v, %v; want both addresses", addrs, err)
	}
	if s.Queries() == 0 {
		t.Error("the server counted no queries")
	}
}

func TestUnansweredAndUnreachable(t *testing.T) {
	t.Parallel()
	s := Start(t, Zone{Unanswered: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Resolver().LookupAddr(ctx, "192.0.2.7"); err == nil {
		t.Error("an unanswered query succeeded")
	}
	if _, err := Unreachable().LookupAddr(context.Background(), "192.0.2.7"); err == nil {
		t.Error("the unreachable resolver answered")
	}
}
