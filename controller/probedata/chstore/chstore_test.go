package chstore

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/storetest"
)

// urlVar names the ClickHouse server the tests use.
const urlVar = "NETWATCHER_TEST_CLICKHOUSE_URL"

// open returns a store in a database of its own, dropped when the test ends.
func open(tb testing.TB) probedata.Store {
	tb.Helper()
	base := os.Getenv(urlVar)
	if base == "" {
		tb.Skipf("ClickHouse tests skipped: %s is not set (scripts/test.sh starts a server and sets it)", urlVar)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", urlVar, err)
	}
	u.Path = "/nwpd_" + strings.ToLower(rand.Text()[:12])
	s, err := Open(tb.Context(), u.String())
	if err != nil {
		tb.Fatal(err)
	}
	// Registered before the suite's Close, so it runs after it: the
	// store's connection is gone by then.
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		opts, err := clickhouse.ParseDSN(base)
		if err == nil {
			err = exec(ctx, opts, "DROP DATABASE IF EXISTS "+quote(s.db))
		}
		if err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) probedata.Store { return open(t) })
}

func BenchmarkInsert(b *testing.B)    { storetest.BenchInsert(b, open) }
func BenchmarkAggregate(b *testing.B) { storetest.BenchAggregate(b, open) }
