package probesql

import (
	"fmt"
	"strings"
)

// Dialect holds what one SQL engine does differently from the others.
type Dialect struct {
	// Param is the placeholder of the n-th (1-based) argument.
	Param func(n int) string
	// Types names the column type of each Kind.
	Types map[Kind]string
	// PrefixLen is the length of a target prefix in the unit the engine's
	// substr counts (characters or bytes).
	PrefixLen func(prefix string) int
	// Bucket is the start, in Unix milliseconds, of the bucket of width ms
	// that the integer column col falls in (epoch-aligned).
	Bucket func(col string, ms int64) string
	// P95 is the 95th percentile of col with linear interpolation between
	// closest ranks (PostgreSQL's percentile_cont), NULLs ignored.
	P95 func(col string) string
	// Lateral: the engine has LATERAL joins, which fetch each probe's
	// newest row in one step.
	Lateral bool
	// Int64 casts an aggregate count to a signed 64-bit integer, so every
	// driver scans it into an int64.
	Int64 func(expr string) string
}

// ColumnDefs is the column list of a CREATE TABLE in dialect d; types
// overrides the type of the columns it names.
func (d *Dialect) ColumnDefs(types map[string]string) string {
	defs := make([]string, len(Columns))
	for i, c := range Columns {
		typ, ok := types[c.Name]
		if !ok {
			typ = d.Types[c.Kind]
		}
		defs[i] = c.Name + " " + typ
	}
	return strings.Join(defs, ",\n  ")
}

// builder accumulates SQL text and its arguments.
type builder struct {
	d    *Dialect
	sql  strings.Builder
	args []any
}

// arg adds v as the next argument and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.Param(len(b.args))
}

func (b *builder) printf(format string, a ...any) { fmt.Fprintf(&b.sql, format, a...) }
