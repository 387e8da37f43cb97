package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Conn runs queries written with `?` placeholders. Both *DB and *Tx
// implement it, so domain functions work inside or outside a transaction.
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Exec runs a statement.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, db.rebind(query), args...)
}

// Query runs a query returning rows.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, db.rebind(query), args...)
}

// QueryRow runs a query returning at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.rebind(query), args...)
}

// Tx is a transaction on a DB.
type Tx struct {
	tx *sql.Tx
	db *DB
}

func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.rebind(query), args...)
}

func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.rebind(query), args...)
}

func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.rebind(query), args...)
}

func (t *Tx) Dialect() Dialect { return t.db.dialect }

// InTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise (also on panic, which is re-raised).
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{tx: sqlTx, db: db}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// InTx runs fn in conn's transaction when conn already is one, else in a new one.
func InTx(ctx context.Context, conn Conn, fn func(tx *Tx) error) error {
	switch c := conn.(type) {
	case *Tx:
		return fn(c)
	case *DB:
		return c.InTx(ctx, fn)
	default:
		return fmt.Errorf("store.InTx: unsupported connection %T", conn)
	}
}

var rebound sync.Map // query text → PostgreSQL form

// rebind rewrites `?` placeholders to `$1, $2, …` for PostgreSQL, skipping
// quoted literals. Results are cached: the set of queries is small and fixed.
func (db *DB) rebind(query string) string {
	if db.dialect != Postgres {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}

// ErrNoRows is returned by QueryRow scans that find nothing.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means "no such row".
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Page selects a slice of a list.
type Page struct {
	Limit, Offset int
}
