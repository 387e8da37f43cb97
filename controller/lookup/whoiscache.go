package lookup

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/whois"
	"github.com/netwatcher/netwatcher/controller/store"
)

// DefaultWhoisCacheEntries bounds the WHOIS cache when MaxEntries is zero.
// Answers are typically a few KiB, so the table stays in the tens of MiB.
const DefaultWhoisCacheEntries = 10000

// WhoisCache keeps WHOIS answers in the metadata store (whois_cache), so
// they survive restarts and every replica sharing the database benefits
// from one replica's query. It implements whois.Cache: expired answers are
// never returned, and Purge deletes them and bounds the table.
type WhoisCache struct {
	DB *store.DB
	// Log receives read and write failures, which whois.Client otherwise
	// treats as misses and drops.
	Log *slog.Logger
	// Now is the clock deciding expiry; nil means time.Now.
	Now func() time.Time
	// MaxEntries is how many answers Purge keeps, the most recently fetched
	// ones (default DefaultWhoisCacheEntries).
	MaxEntries int
}

func (c *WhoisCache) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Get returns the live answer stored for query.
func (c *WhoisCache) Get(ctx context.Context, query string) (whois.Result, bool, error) {
	var raw string
	err := c.DB.QueryRow(ctx, `SELECT result FROM whois_cache WHERE query = ? AND expires_at > ?`,
		query, store.Millis(c.now())).Scan(&raw)
	if store.IsNoRows(err) {
		return whois.Result{}, false, nil
	}
	if err == nil {
		var res whois.Result
		if err = json.Unmarshal([]byte(raw), &res); err == nil {
			return res, true, nil
		}
	}
	c.Log.Warn("read WHOIS cache", "query", query, "err", err)
	return whois.Result{}, false, fmt.Errorf("read WHOIS cache: %w", err)
}

// Put stores result for ttl, replacing an older answer to the same query.
func (c *WhoisCache) Put(ctx context.Context, query string, result whois.Result, ttl time.Duration) error {
	raw, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode WHOIS answer: %w", err)
	}
	now := c.now()
	_, err = c.DB.Exec(ctx, `INSERT INTO whois_cache (query, result, fetched_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (query) DO UPDATE SET result = excluded.result, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
		query, string(raw), store.Millis(now), store.Millis(now.Add(ttl)))
	if err != nil {
		c.Log.Warn("write WHOIS cache", "query", query, "err", err)
		return fmt.Errorf("write WHOIS cache: %w", err)
	}
	return nil
}

// Purge deletes expired answers, then the oldest beyond MaxEntries, and
// reports how many rows went.
func (c *WhoisCache) Purge(ctx context.Context) (int64, error) {
	expired, err := c.DB.Exec(ctx, `DELETE FROM whois_cache WHERE expires_at <= ?`, store.Millis(c.now()))
	if err != nil {
		return 0, fmt.Errorf("purge expired WHOIS answers: %w", err)
	}
	keep := c.MaxEntries
	if keep <= 0 {
		keep = DefaultWhoisCacheEntries
	}
	// The subquery is the fetch time of the newest answer beyond the bound
	// (NULL, deleting nothing, while there are fewer).
	surplus, err := c.DB.Exec(ctx, `DELETE FROM whois_cache WHERE fetched_at <=
		(SELECT fetched_at FROM whois_cache ORDER BY fetched_at DESC LIMIT 1 OFFSET ?)`, keep)
	if err != nil {
		return 0, fmt.Errorf("bound WHOIS cache: %w", err)
	}
	a, _ := expired.RowsAffected()
	b, _ := surplus.RowsAffected()
	return a + b, nil
}
