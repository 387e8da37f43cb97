package testenv

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/netwatcher/netwatcher/controller/config"
)

// ClickHouseURLVar names the variable holding a ClickHouse server for tests.
const ClickHouseURLVar = "NETWATCHER_TEST_CLICKHOUSE_URL"

// ProbeDataBackends are the probe-data stores (NETWATCHER_PROBEDATA_URL).
var ProbeDataBackends = []string{"sqlite", "postgres", "clickhouse"}

// ForEachProbeDataBackend runs fn as a subtest per probe-data store, each
// with its own controller (metadata on SQLite) and an empty store. Servers
// that are not configured skip with the reason.
func ForEachProbeDataBackend(t *testing.T, fn func(t *testing.T, env *Env), opts ...Option) {
	t.Helper()
	for _, b := range ProbeDataBackends {
		t.Run("probedata-"+b, func(t *testing.T) {
			u := ProbeDataURL(t, b)
			fn(t, Start(t, SQLite, append([]Option{func(c *config.Config) { c.ProbeDataURL = u }}, opts...)...))
		})
	}
}

// ProbeDataURL is a NETWATCHER_PROBEDATA_URL for an empty store of kind b
// ("sqlite", "postgres", "clickhouse"), dropped when the test ends.
func ProbeDataURL(t testing.TB, b string) string {
	t.Helper()
	switch b {
	case "postgres":
		return freshPostgresDB(t)
	case "clickhouse":
		return freshClickHouseDB(t)
	default:
		return ""
	}
}

func freshClickHouseDB(t testing.TB) string {
	t.Helper()
	base := os.Getenv(ClickHouseURLVar)
	if base == "" {
		t.Skipf("ClickHouse tests skipped: %s is not set (scripts/test.sh starts a server and sets it)", ClickHouseURLVar)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", ClickHouseURLVar, err)
	}
	name := "nwtest_" + strings.ToLower(rand.Text()[:12])
	u.Path = "/" + name
	t.Cleanup(func() {
		opts, err := clickhouse.ParseDSN(base)
		if err != nil {
			return
		}
		conn, err := clickhouse.Open(opts)
		if err != nil {
			return
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
	})
	return u.String()
}
