package lookup_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup"
	"github.com/netwatcher/netwatcher/controller/lookup/whois"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

// clock is a settable time for cache expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// openStore opens a fresh, migrated metadata database on backend b.
func openStore(t *testing.T, b testenv.Backend) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DatabaseURL(t, b), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestWhoisCacheInTheStore(t *testing.T) {
	t.Parallel()
	for _, b := range testenv.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			cache := &lookup.WhoisCache{DB: openStore(t, b), Log: slog.Default(), Now: clk.Now, MaxEntries: 3}

			if _, ok, err := cache.Get(ctx, "192.0.2.1"); ok || err != nil {
				t.Fatalf("empty cache: ok %v, err %v", ok, err)
			}
			first := whois.Result{Query: "example.com", RawOutput: "Domain Name: EXAMPLE.COM\nä ü\n",
				Parsed: whois.Parsed{Registrar: "Example Registrar"}, Server: "whois.example", CacheTime: clk.Now()}
			if err := cache.Put(ctx, "example.com", first, time.Hour); err != nil {
				t.Fatal(err)
			}
			got, ok, err := cache.Get(ctx, "example.com")
			if err != nil || !ok || got != first {
				t.Fatalf("Get = %+v, %v, %v; want %+v", got, ok, err, first)
			}
			// A newer answer replaces the old one.
			second := first
			second.Parsed.Registrar = "Other Registrar"
			if err := cache.Put(ctx, "example.com", second, time.Hour); err != nil {
				t.Fatal(err)
			}
			if got, _, _ := cache.Get(ctx, "example.com"); got.Parsed.Registrar != "Other Registrar" {
				t.Errorf("after a second Put: %+v", got.Parsed)
			}
			// Expired answers are never served, and purged.
			clk.advance(time.Hour)
			if _, ok, _ := cache.Get(ctx, "example.com"); ok {
				t.Error("an expired answer was served")
			}
			if n, err := cache.Purge(ctx); err != nil || n != 1 {
				t.Errorf("Purge = %d, %v; want the expired answer deleted", n, err)
			}
			// The table keeps the MaxEntries newest answers.
			for i := range 5 {
				clk.advance(time.Second)
				q := fmt.Sprintf("198.51.100.%d", i)
				if err := cache.Put(ctx, q, whois.Result{Query: q}, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := cache.Purge(ctx); err != nil || n != 2 {
				t.Errorf("Purge = %d, %v; want the 2 oldest of 5 deleted", n, err)
			}
			for i := range 5 {
				_, ok, _ := cache.Get(ctx, fmt.Sprintf("198.51.100.%d", i))
				if ok != (i >= 2) {
					t.Errorf("answer %d cached = %v after the bound", i, ok)
				}
			}
		})
	}
}
