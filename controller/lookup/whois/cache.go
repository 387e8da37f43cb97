package whois

import (
	"context"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/lru"
)

// Cache stores answers by normalised query (Query.String). The API layer
// implements it on the metadata store; MemoryCache keeps them in process.
// Errors never fail a lookup: a failed Get counts as a miss and a failed Put
// is dropped, so implementations log them if they want them seen.
type Cache interface {
	Get(ctx context.Context, query string) (Result, bool, error)
	Put(ctx context.Context, query string, result Result, ttl time.Duration) error
}

// MemoryCache is a bounded in-process Cache; least recently used answers
// are evicted first and expired ones are never returned.
type MemoryCache struct {
	entries *lru.Cache[string, Result]
}

// NewMemoryCache holds at most capacity answers.
func NewMemoryCache(capacity int) *MemoryCache {
	return &MemoryCache{entries: lru.New[string, Result](capacity, nil)}
}

func (m *MemoryCache) Get(_ context.Context, query string) (Result, bool, error) {
	res, ok := m.entries.Get(query)
	return res, ok, nil
}

func (m *MemoryCache) Put(_ context.Context, query string, result Result, ttl time.Duration) error {
	m.entries.Put(query, result, ttl)
	return nil
}
