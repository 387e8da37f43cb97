// Package lru is the bounded in-memory cache shared by the lookup packages:
// GeoIP keeps decoded results in it, WHOIS uses it as its in-process cache.
package lru

import (
	"container/list"
	"sync"
	"time"
)

// Cache is a concurrency-safe least-recently-used map holding at most
// capacity entries. Entries may carry a time to live; expired entries are
// dropped when next read, and the capacity bound keeps memory fixed either way.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	now      func() time.Time
	entries  map[K]*list.Element
	order    list.List // front is the most recently used
}

type entry[K comparable, V any] struct {
	key     K
	value   V
	expires time.Time // zero: never
}

// New returns a cache of at most capacity entries (at least one). now is the
// clock used for expiry; nil means time.Now.
func New[K comparable, V any](capacity int, now func() time.Time) *Cache[K, V] {
	if now == nil {
		now = time.Now
	}
	return &Cache[K, V]{
		capacity: max(capacity, 1),
		now:      now,
		entries:  make(map[K]*list.Element),
	}
}

// Get returns the live value stored under key and marks it recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	e := el.Value.(*entry[K, V])
	if !e.expires.IsZero() && !c.now().Before(e.expires) {
		c.remove(el)
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// Put stores value under key, evicting the least recently used entry when
// full. A ttl of zero or less means the entry does not expire.
func (c *Cache[K, V]) Put(key K, value V, ttl time.Duration) {
	var expires time.Time
	if ttl > 0 {
		expires = c.now().Add(ttl)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*entry[K, V])
		e.value, e.expires = value, expires
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() < c.capacity {
		c.entries[key] = c.order.PushFront(&entry[K, V]{key: key, value: value, expires: expires})
		return
	}
	// Full: the least recently used entry's element is reused for the new
	// one, so a busy cache does not allocate per insert.
	el := c.order.Back()
	e := el.Value.(*entry[K, V])
	delete(c.entries, e.key)
	e.key, e.value, e.expires = key, value, expires
	c.order.MoveToFront(el)
	c.entries[key] = el
}

// Len reports how many entries are stored, expired ones included until read.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *Cache[K, V]) remove(el *list.Element) {
	c.order.Remove(el)
	delete(c.entries, el.Value.(*entry[K, V]).key)
}
