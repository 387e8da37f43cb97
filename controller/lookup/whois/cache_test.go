package whois

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/lru"
	"github.com/netwatcher/netwatcher/controller/lookup/whois/whoistest"
)

// recordingCache wraps a cache and records the TTLs it was asked to use.
type recordingCache struct {
	Cache
	ttls []time.Duration
}

func (r *recordingCache) Put(ctx context.Context, query string, res Result, ttl time.Duration) error {
	r.ttls = append(r.ttls, ttl)
	return r.Cache.Put(ctx, query, res, ttl)
}

func TestLookupUsesCache(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("inetnum: 93.184.216.0 - 93.184.216.255\nnetname: EDGECAST-NETBLK-03\n"))
	cache := &recordingCache{Cache: NewMemoryCache(10)}
	c := &Client{Dial: n.Dial, Cache: cache, CacheTTL: time.Hour}

	first, err := c.Lookup(context.Background(), "93.184.216.34")
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached || !first.CacheTime.IsZero() {
		t.Errorf("a fresh answer is marked cached: %+v", first)
	}
	second, err := c.Lookup(context.Background(), "::ffff:93.184.216.34") // same normalised query
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Dialed()) != 1 {
		t.Errorf("dialled %d times, want 1", len(n.Dialed()))
	}
	if !second.Cached || second.CacheTime.IsZero() || second.CacheTime.Location() != time.UTC || second.Parsed != first.Parsed || second.RawOutput != first.RawOutput {
		t.Errorf("cached answer %+v", second)
	}
	if len(cache.ttls) != 1 || cache.ttls[0] != time.Hour {
		t.Errorf("Put TTLs %v, want [1h]", cache.ttls)
	}
}

// failingCache fails every call, as a metadata store might.
type failingCache struct{}

func (failingCache) Get(context.Context, string) (Result, bool, error) {
	return Result{}, false, errors.New("database down")
}

func (failingCache) Put(context.Context, string, Result, time.Duration) error {
	return errors.New("database down")
}

func TestLookupSurvivesCacheFailures(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("netname: STILL-WORKS\n"))
	res, err := (&Client{Dial: n.Dial, Cache: failingCache{}}).Lookup(context.Background(), "93.184.216.34")
	if err != nil || res.Parsed.Netname != "STILL-WORKS" {
		t.Errorf("got %+v, %v", res, err)
	}
}

func TestMemoryCacheExpires(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	m := &MemoryCache{entries: lru.New[string, Result](4, func() time.Time { return now })}
	ctx := context.Background()
	m.Put(ctx, "example.com", Result{Query: "example.com"}, time.Minute)
	if res, ok, err := m.Get(ctx, "example.com"); !ok || err != nil || res.Query != "example.com" {
		t.Fatalf("Get = %+v, %v, %v", res, ok, err)
	}
	now = now.Add(time.Minute)
	if _, ok, _ := m.Get(ctx, "example.com"); ok {
		t.Error("answer served after its TTL")
	}
}
