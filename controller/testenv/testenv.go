// Package testenv starts real controllers for tests: the real router over a
// real database, on every backend the environment provides. SQLite always
// runs; PostgreSQL runs when NETWATCHER_TEST_POSTGRES_URL is set (CI sets
// it) and is skipped with that reason otherwise.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/server"
)

// PostgresURLVar names the variable holding a PostgreSQL server for tests.
const PostgresURLVar = "NETWATCHER_TEST_POSTGRES_URL"

// Backend is one metadata database flavour.
type Backend string

const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Env is a running controller.
type Env struct {
	Backend Backend
	URL     string
	Config  config.Config
	t       testing.TB
}

// Option adjusts the configuration before the controller starts.
type Option func(*config.Config)

// WithAuthRateLimit turns the auth limiters on (tests default to off).
func WithAuthRateLimit(perMinute int) Option {
	return func(c *config.Config) { c.AuthRateLimit = perMinute }
}

// WithAllowedOrigins sets NETWATCHER_ALLOWED_ORIGINS.
func WithAllowedOrigins(origins ...string) Option {
	return func(c *config.Config) { c.AllowedOrigins = origins }
}

// WithTrustedProxies sets NETWATCHER_TRUSTED_PROXIES (CIDRs), so tests can
// present client addresses in X-Forwarded-For: the test client connects
// from 127.0.0.1.
func WithTrustedProxies(cidrs ...string) Option {
	return func(c *config.Config) {
		c.TrustedProxies = nil
		for _, s := range cidrs {
			c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(s))
		}
	}
}

// For returns a copy of the environment whose helpers report to t, for
// subtests (possibly parallel) that share one controller.
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.t = t
	return &c
}

// Backends lists every metadata backend, in the order ForEachBackend runs them.
var Backends = []Backend{SQLite, Postgres}

// ForEachBackend runs fn as a subtest per backend, each with its own fresh
// controller and database.
func ForEachBackend(t *testing.T, fn func(t *testing.T, env *Env), opts ...Option) {
	t.Helper()
	for _, b := range Backends {
		t.Run(string(b), func(t *testing.T) {
			fn(t, Start(t, b, opts...))
		})
	}
}

// Start runs a controller on backend b until the test ends.
func Start(t testing.TB, b Backend, opts ...Option) *Env {
	t.Helper()
	cfg := config.Config{
		Listen:    "127.0.0.1:0",
		DataDir:   t.TempDir(),
		JWTSecret: randomHex(t, 32),
		JWTTTL:    time.Hour,
		Retention: 90 * 24 * time.Hour,
		LogFormat: "text",
		LogLevel:  "warn",
		Lookups:   lookupDefaults(),
	}
	cfg.DatabaseURL = DatabaseURL(t, b)
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start controller on %s: %v", b, err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &Env{Backend: b, URL: ts.URL, Config: cfg, t: t}
}

// DatabaseURL is the NETWATCHER_DATABASE_URL of a fresh, empty database on
// backend b, dropped when the test ends: "" for SQLite (it lives in the
// data directory). For PostgreSQL the test is skipped when no server is
// configured.
func DatabaseURL(t testing.TB, b Backend) string {
	t.Helper()
	if b == Postgres {
		return freshPostgresDB(t)
	}
	return ""
}

// freshPostgresDB creates an empty database on the test server and drops it
// when the test ends; skips when no server is configured.
func freshPostgresDB(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLVar)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: %s is not set (scripts/test.sh starts a server and sets it)", PostgresURLVar)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresURLVar, err)
	}
	defer admin.Close(ctx)
	name := "nwtest_" + randomHex(t, 8)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	return replaceDBName(base, name)
}

// replaceDBName swaps the database of a postgres:// URL.
func replaceDBName(url, name string) string {
	rest, query, _ := strings.Cut(url, "?")
	scheme := strings.Index(rest, "://") + 3
	if slash := strings.Index(rest[scheme:], "/"); slash >= 0 {
		rest = rest[:scheme+slash]
	}
	out := rest + "/" + name
	if query != "" {
		out += "?" + query
	}
	return out
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testWriter routes controller logs into the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
