package probesql

import (
	"errors"
	"fmt"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
)

// ErrNoLimit is returned for row queries without a positive Limit: an
// unbounded answer could be the whole table.
var ErrNoLimit = errors.New("probe-data query needs a positive limit")

// where writes the WHERE clause of q. Every clause starts with the
// workspace, so no query can reach another workspace's rows.
func (b *builder) where(q probedata.Query) {
	b.printf(" WHERE workspace_id = %s", b.arg(q.WorkspaceID))
	if q.ProbeID != nil {
		b.printf(" AND probe_id = %s", b.arg(*q.ProbeID))
	}
	if q.Type != "" {
		b.printf(" AND type = %s", b.arg(q.Type))
	}
	if q.AgentID != 0 {
		b.printf(" AND agent_id = %s", b.arg(q.AgentID))
	}
	if q.ProbeAgentID != 0 {
		b.printf(" AND probe_agent_id = %s", b.arg(q.ProbeAgentID))
	}
	if q.TargetAgent != 0 {
		b.printf(" AND target_agent = %s", b.arg(q.TargetAgent))
	}
	if q.Target != "" {
		b.printf(" AND target = %s", b.arg(q.Target))
	}
	if q.TargetPrefix != "" {
		// substr rather than LIKE: SQLite's LIKE ignores case, and a
		// prefix holding % or _ would need escaping everywhere.
		n := b.arg(b.d.PrefixLen(q.TargetPrefix))
		b.printf(" AND substr(target, 1, %s) = %s", n, b.arg(q.TargetPrefix))
	}
	if q.Triggered != nil {
		b.printf(" AND triggered = %s", b.arg(*q.Triggered))
	}
	if !q.From.IsZero() {
		b.printf(" AND created_ms >= %s", b.arg(ceilMillis(q.From)))
	}
	if !q.To.IsZero() {
		b.printf(" AND created_ms <= %s", b.arg(q.To.UnixMilli()))
	}
}

// ceilMillis is the first whole millisecond at or after t: rows are stored
// at millisecond precision, so an inclusive lower bound rounds up.
func ceilMillis(t time.Time) int64 {
	ms := t.UnixMilli()
	if FromMillis(ms).Before(t) {
		ms++
	}
	return ms
}

// Where is the WHERE clause of q with its arguments, for a backend that
// composes its own statement around it.
func (d *Dialect) Where(q probedata.Query) (string, []any) {
	b := &builder{d: d}
	b.where(q)
	return b.sql.String(), b.args
}

// Order is the ORDER BY clause of q's rows: by creation time, then id.
func Order(q probedata.Query) string {
	if q.Asc {
		return " ORDER BY created_ms, id"
	}
	return " ORDER BY created_ms DESC, id DESC"
}

// Find is the query for Store.Find.
func (d *Dialect) Find(q probedata.Query) (string, []any, error) {
	return d.Select(q, ColumnList)
}

// Select is Find's query with another select list.
func (d *Dialect) Select(q probedata.Query, columns string) (string, []any, error) {
	if q.Limit < 1 {
		return "", nil, ErrNoLimit
	}
	b := &builder{d: d}
	b.printf("SELECT %s FROM probe_data", columns)
	b.where(q)
	b.printf("%s LIMIT %d", Order(q), q.Limit)
	return b.sql.String(), b.args, nil
}

// Aggregate is the query for Store.Aggregate on engines with a percentile
// aggregate, over the metric columns cols (indexes into MetricNames). Its
// columns are the bucket start (ms), agent id, type, row count, then per
// metric column: count, avg, min, max and p95 (see ScanBuckets).
func (d *Dialect) Aggregate(q probedata.Query, bucket time.Duration, cols []int) (string, []any) {
	b := &builder{d: d}
	b.printf("SELECT %s AS bucket_ms, agent_id, type, %s", d.Bucket("created_ms", bucket.Milliseconds()), d.Int64("count(*)"))
	for _, i := range cols {
		m := metricColumns[i]
		b.printf(", %s, avg(%[2]s), min(%[2]s), max(%[2]s), %[3]s", d.Int64("count("+m.name+")"), m.name, d.P95(m.name))
	}
	b.printf(" FROM probe_data")
	b.where(q)
	b.printf(" GROUP BY bucket_ms, agent_id, type ORDER BY bucket_ms, agent_id, type")
	return b.sql.String(), b.args
}

// Rows is what the three drivers' result sets have in common.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanBuckets reads the result of Aggregate over cols.
func ScanBuckets(rows Rows, cols []int) ([]probedata.Bucket, error) {
	var (
		start, agent, count int64
		typ                 string
		counts              = make([]int64, len(cols))
		stats               = make([][4]*float64, len(cols))
	)
	dest := []any{&start, &agent, &typ, &count}
	for i := range cols {
		dest = append(dest, &counts[i], &stats[i][0], &stats[i][1], &stats[i][2], &stats[i][3])
	}
	out := []probedata.Bucket{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan bucket: %w", err)
		}
		bk := probedata.Bucket{Start: FromMillis(start), Count: int(count), Type: typ, AgentID: agent,
			Metrics: map[string]probedata.MetricStats{}}
		for i, col := range cols {
			name := metricColumns[col].name
			if counts[i] == 0 {
				continue
			}
			s := stats[i]
			if s[0] == nil || s[1] == nil || s[2] == nil || s[3] == nil {
				return nil, fmt.Errorf("bucket %s: %s has %d values but no statistics", bk.Start, name, counts[i])
			}
			bk.Metrics[name] = probedata.MetricStats{Avg: *s[0], Min: *s[1], Max: *s[2], P95: *s[3]}
		}
		out = append(out, bk)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read buckets: %w", err)
	}
	return out, nil
}
