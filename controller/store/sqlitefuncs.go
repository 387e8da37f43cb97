package store

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's built-in lower() folds ASCII letters only, while PostgreSQL's
// folds all of Unicode. Replacing it on every SQLite connection makes
// case-insensitive matching (`LOWER(name) LIKE ?`, with the pattern folded
// by strings.ToLower) agree on both dialects: "énergie" finds "ÉNERGIE".
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default: // NULL and numbers are returned as they are
			return v, nil
		}
	})
}
