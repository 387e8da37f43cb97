package ratelimit

import (
	"net/netip"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestHitsBlockAfterLimitAndRefill(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := NewWithClock(3, clock.now)
	for i := 0; i < 3; i++ {
		if _, blocked := l.Blocked("ip"); blocked {
			t.Fatalf("blocked after %d hits, limit 3", i)
		}
		l.Hit("ip")
	}
	wait, blocked := l.Blocked("ip")
	if !blocked {
		t.Fatal("not blocked after 3 hits")
	}
	if wait <= 0 || wait > 20*time.Second {
		t.Fatalf("wait = %v, want (0, 20s] for 3/min", wait)
	}
	if _, blocked := l.Blocked("other"); blocked {
		t.Fatal("a different key is blocked")
	}
	clock.advance(wait)
	if _, blocked := l.Blocked("ip"); blocked {
		t.Fatalf("still blocked after waiting the advertised %v", wait)
	}
}

func TestAllowConsumes(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := NewWithClock(2, clock.now)
	for i := 0; i < 2; i++ {
		if _, ok := l.Allow("k"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if _, ok := l.Allow("k"); ok {
		t.Fatal("third attempt within a minute allowed with limit 2")
	}
	clock.advance(time.Minute)
	if _, ok := l.Allow("k"); !ok {
		t.Fatal("refused after a full minute")
	}
}

func TestDisabledAllowsEverything(t *testing.T) {
	l := New(0)
	for i := 0; i < 1000; i++ {
		l.Hit("k")
	}
	if _, blocked := l.Blocked("k"); blocked {
		t.Fatal("disabled limiter blocked")
	}
	if _, ok := l.Allow("k"); !ok {
		t.Fatal("disabled limiter refused")
	}
}

func TestSweepForgetsIdleKeys(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := NewWithClock(5, clock.now)
	for i := 0; i < 100; i++ {
		l.Hit(string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	clock.advance(2 * time.Minute)
	l.Blocked("fresh")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("%d buckets kept after every key refilled, want 1", n)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{0, 1}, {300 * time.Millisecond, 1}, {1500 * time.Millisecond, 2}, {6 * time.Second, 6}} {
		if got := RetryAfterSeconds(c.d); got != c.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}

func TestAddrKey(t *testing.T) {
	for _, tc := range []struct{ addr, key string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	} {
		if got := AddrKey(netip.MustParseAddr(tc.addr)); got != tc.key {
			t.Errorf("AddrKey(%s) = %q, want %q", tc.addr, got, tc.key)
		}
	}
	if got := AddrKey(netip.Addr{}); got != "invalid IP" {
		t.Errorf("AddrKey(zero) = %q", got)
	}
}
