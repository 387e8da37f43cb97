package lru

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	c := New[string, int](2, nil)
	c.Put("a", 1, 0)
	c.Put("b", 2, 0)
	if _, ok := c.Get("a"); !ok { // a becomes most recent, so b is evicted next
		t.Fatal("a missing")
	}
	c.Put("c", 3, 0)
	if _, ok := c.Get("b"); ok {
		t.Error("b survived eviction although it was least recently used")
	}
	for key, want := range map[string]int{"a": 1, "c": 3} {
		if got, ok := c.Get(key); !ok || got != want {
			t.Errorf("Get(%q) = %d, %v; want %d", key, got, ok, want)
		}
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
}

func TestPutReplacesValueAndExpiry(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	c := New[string, int](4, func() time.Time { return now })
	c.Put("k", 1, time.Second)
	c.Put("k", 2, 0)
	now = now.Add(time.Hour)
	if got, ok := c.Get("k"); !ok || got != 2 {
		t.Errorf("Get = %d, %v; want 2 without expiry", got, ok)
	}
	if c.Len() != 1 {
		t.Errorf("Len = %d, want 1", c.Len())
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	c := New[string, int](4, func() time.Time { return now })
	c.Put("k", 1, time.Minute)
	now = now.Add(59 * time.Second)
	if _, ok := c.Get("k"); !ok {
		t.Fatal("entry expired early")
	}
	now = now.Add(time.Second)
	if _, ok := c.Get("k"); ok {
		t.Fatal("entry served after its ttl")
	}
	if c.Len() != 0 {
		t.Errorf("expired entry still stored: Len = %d", c.Len())
	}
}

func TestCapacityAtLeastOne(t *testing.T) {
	t.Parallel()
	c := New[int, int](0, nil)
	c.Put(1, 1, 0)
	if got, ok := c.Get(1); !ok || got != 1 {
		t.Errorf("Get = %d, %v; want 1", got, ok)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	c := New[string, int](64, nil)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				key := strconv.Itoa((w*1000 + i) % 100)
				c.Put(key, i, 0)
				c.Get(key)
			}
		})
	}
	wg.Wait()
	if c.Len() > 64 {
		t.Errorf("Len = %d exceeds capacity 64", c.Len())
	}
}
