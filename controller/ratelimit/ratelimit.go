// Package ratelimit counts attempts per key (client IP, account, agent) with
// token buckets. Callers decide what counts: login consults Blocked first
// and records only failures with Hit, so a user who types their password
// right is never slowed by the limiter.
package ratelimit

import (
	"math"
	"net/netip"
	"sync"
	"time"
)

// Limiter allows perMinute attempts per key, refilled continuously. A nil
// *Limiter (or perMinute 0) allows everything.
type Limiter struct {
	capacity float64
	rate     float64 // tokens per second
	now      func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// sweepEvery bounds memory: buckets that have refilled completely carry no
// information and are dropped this often.
const sweepEvery = time.Minute

// New returns a limiter of perMinute attempts per key per minute, or nil
// (allow all) when perMinute is 0.
func New(perMinute int) *Limiter {
	return NewWithClock(perMinute, time.Now)
}

// NewWithClock is New with an injectable clock, for tests of the windows.
func NewWithClock(perMinute int, now func() time.Time) *Limiter {
	if perMinute <= 0 {
		return nil
	}
	return &Limiter{
		capacity:  float64(perMinute),
		rate:      float64(perMinute) / 60,
		now:       now,
		buckets:   map[string]*bucket{},
		lastSweep: now(),
	}
}

// Blocked reports whether key has no attempt left, and how long until it has.
// It consumes nothing.
func (l *Limiter) Blocked(key string) (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key)
	if b.tokens >= 1 {
		return 0, false
	}
	return l.wait(b), true
}

// Hit consumes one attempt of key (it may go below zero; the key then stays
// blocked for longer, which is what persistent guessing deserves).
func (l *Limiter) Hit(key string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key)
	if b.tokens > -l.capacity {
		b.tokens--
	}
}

// Allow consumes one attempt of key if one is left; otherwise it reports how
// long to wait.
func (l *Limiter) Allow(key string) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key)
	if b.tokens < 1 {
		return l.wait(b), false
	}
	b.tokens--
	return 0, true
}

// AddrKey is the limiter key of a client address. An IPv6 client usually
// holds a whole /64 (and can pick any address in it), so IPv6 addresses
// count per /64; IPv4 addresses (also IPv4-mapped ones) count one by one.
func AddrKey(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is6() {
		return netip.PrefixFrom(addr.WithZone(""), 64).Masked().String()
	}
	return addr.String()
}

// RetryAfterSeconds rounds a wait up to whole seconds, at least 1, for the
// Retry-After header.
func RetryAfterSeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		return 1
	}
	return s
}

func (l *Limiter) refill(key string) *bucket {
	now := l.now()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.capacity, at: now}
		l.buckets[key] = b
		return b
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.capacity, b.tokens+elapsed*l.rate)
		b.at = now
	}
	return b
}

func (l *Limiter) wait(b *bucket) time.Duration {
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *Limiter) sweep(now time.Time) {
	for key, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.capacity {
			delete(l.buckets, key)
		}
	}
	l.lastSweep = now
}
