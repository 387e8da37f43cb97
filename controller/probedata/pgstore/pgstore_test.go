package pgstore

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/storetest"
)

// urlVar names the PostgreSQL server the tests use.
const urlVar = "NETWATCHER_TEST_POSTGRES_URL"

// open returns a store in a database of its own, dropped when the test ends.
func open(tb testing.TB) probedata.Store {
	tb.Helper()
	base := os.Getenv(urlVar)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: %s is not set (scripts/test.sh starts a server and sets it)", urlVar)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", urlVar, err)
	}
	name := "nwpd_" + strings.ToLower(rand.Text()[:12])
	admin(tb, base, "CREATE DATABASE "+name)
	tb.Cleanup(func() { admin(tb, base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u.Path = "/" + name
	s, err := Open(tb.Context(), u.String())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func admin(tb testing.TB, base, sql string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", urlVar, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) probedata.Store { return open(t) })
}

func BenchmarkInsert(b *testing.B)    { storetest.BenchInsert(b, open) }
func BenchmarkAggregate(b *testing.B) { storetest.BenchAggregate(b, open) }

// BenchmarkInsertWithoutIndexes is the table alone: what the secondary
// indexes cost (docs/performance.md).
func BenchmarkInsertWithoutIndexes(b *testing.B) {
	storetest.BenchInsert(b, func(tb testing.TB) probedata.Store {
		s := open(tb).(*Store)
		if _, err := s.pool.Exec(tb.Context(), "DROP INDEX probe_data_probe, probe_data_time"); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}
