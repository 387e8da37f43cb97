// Package store opens the metadata database (embedded SQLite or PostgreSQL),
// runs its migrations and offers the small query surface that domain
// packages share. SQL is written once with `?` placeholders; the PostgreSQL
// dialect rewrites them, so domain code never branches on the dialect.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL dialect of a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the metadata database.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	// Location is a printable description of where the data lives (no password).
	Location string
}

// Open connects to the metadata database. An empty url selects SQLite in
// dataDir; postgres:// or postgresql:// selects PostgreSQL; sqlite:<path>
// selects an explicit SQLite file.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	switch {
	case url == "":
		return openSQLite(ctx, filepath.Join(dataDir, "netwatcher.db"))
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	default:
		return nil, fmt.Errorf("unsupported database URL %q: use postgres://… or sqlite:<path>, or leave it empty for SQLite in the data directory", redact(url))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	// WAL lets readers run beside the writer; immediate transactions take the
	// write lock up front so two writers wait on busy_timeout instead of
	// failing with SQLITE_BUSY when one upgrades a read lock.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{sql: db, dialect: SQLite, Location: "sqlite:" + path}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", redact(url), err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres %s (is it running and is the URL right?): %w", redact(url), err)
	}
	return &DB{sql: db, dialect: Postgres, Location: redact(url)}, nil
}

// Dialect reports which SQL dialect the database speaks.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL exposes the underlying pool for code that needs driver features
// (bulk copy) or a goose provider.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// redact hides the password of a URL for logs and errors.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	creds := url[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return url[:scheme+3] + user + ":***" + url[at:]
	}
	return url
}
