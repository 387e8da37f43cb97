package store

import (
	"database/sql"
	"time"
)

// Times are stored as BIGINT Unix milliseconds on every dialect: one scan
// path, exact ordering, and no driver-specific time parsing.

// Millis converts t to stored form.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis converts a stored time to UTC.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// NullMillis converts an optional time to stored form (NULL when nil).
func NullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// FromNullMillis converts an optional stored time (nil when NULL).
func FromNullMillis(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := FromMillis(v.Int64)
	return &t
}

// Now is the current time truncated to stored precision, so a value written
// and read back compares equal.
func Now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
