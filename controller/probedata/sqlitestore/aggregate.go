package sqlitestore

import (
	"cmp"
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/backends/probesql"
)

// Aggregate buckets rows in Go, one series (reporting agent, type) at a
// time. SQLite has no percentile aggregate, and its GROUP BY over 43,200
// rows (a sort plus the aggregate steps) measured slower than reading the
// rows once from the covering index. What a row costs here is mostly the
// driver's per-column work (~100 ns a column), so each series' query reads
// only the creation time and the metric columns its type can carry
// (METRICS.md): 5 columns for PING instead of 20.
func (s *Store) Aggregate(ctx context.Context, q probedata.Query, bucket time.Duration) ([]probedata.Bucket, error) {
	width := bucket.Milliseconds()
	if width < 1 {
		return nil, fmt.Errorf("aggregate bucket %s is shorter than a millisecond", bucket)
	}
	series, err := s.aggregateSeries(ctx, q)
	if err != nil {
		return nil, err
	}
	out := []probedata.Bucket{}
	for _, sr := range series {
		sq := q
		sq.AgentID, sq.Type = sr.agent, sr.typ
		buckets, err := s.aggregateSeriesRows(ctx, sq, width)
		if err != nil {
			return nil, err
		}
		out = append(out, buckets...)
	}
	slices.SortFunc(out, func(a, b probedata.Bucket) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.AgentID, b.AgentID), cmp.Compare(a.Type, b.Type))
	})
	return out, nil
}

type agentType struct {
	agent int64
	typ   string
}

// aggregateSeries lists the (agent, type) pairs with rows that q may match.
func (s *Store) aggregateSeries(ctx context.Context, q probedata.Query) ([]agentType, error) {
	where, args := dialect.Where(probesql.SeriesQuery(q))
	rows, err := s.read.QueryContext(ctx, "SELECT DISTINCT agent_id, type FROM probe_series"+where, args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	defer rows.Close()
	var out []agentType
	for rows.Next() {
		var at agentType
		if err := rows.Scan(&at.agent, &at.typ); err != nil {
			return nil, fmt.Errorf("aggregate probe data: %w", err)
		}
		out = append(out, at)
	}
	return out, rows.Err()
}

// aggregateSeriesRows buckets the rows of one series (q names its agent
// and type).
func (s *Store) aggregateSeriesRows(ctx context.Context, q probedata.Query, width int64) ([]probedata.Bucket, error) {
	cols := probesql.MetricsOf([]string{q.Type})
	all := probesql.MetricNames()
	names := make([]string, len(cols))
	for j, i := range cols {
		names[j] = all[i]
	}
	where, args := dialect.Where(q)
	query := "SELECT " + strings.Join(append([]string{"created_ms"}, names...), ", ") + " FROM probe_data" + where + " ORDER BY created_ms"
	b := &bucketer{width: width, names: names, values: make([][]float64, len(cols)),
		cur: probedata.Bucket{AgentID: q.AgentID, Type: q.Type}}
	if err := s.eachRow(ctx, query, args, b.add); err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	b.flush()
	return b.out, nil
}

// eachRow runs a query on a reader connection and hands fn every row,
// talking to the driver directly: database/sql's locking and conversion of
// every column cost ~15% of an aggregate's CPU (43,200 rows × 5 columns
// for 30 days of PING), which the 50 ms target cannot spare. fn must not
// keep the slice.
func (s *Store) eachRow(ctx context.Context, query string, args []any, fn func([]driver.Value)) error {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			v, err := driver.DefaultParameterConverter.ConvertValue(a)
			if err != nil {
				return err
			}
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
		}
		rows, err := dc.(driver.QueryerContext).QueryContext(ctx, query, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		dest := make([]driver.Value, len(rows.Columns()))
		for {
			switch err := rows.Next(dest); err {
			case nil:
				fn(dest)
			case io.EOF:
				return nil
			default:
				return err
			}
		}
	})
}

// bucketer folds one series' rows, which come in creation order, into
// buckets: a bucket is complete when the next one starts.
type bucketer struct {
	width  int64
	names  []string // of the metric columns after created_ms
	cur    probedata.Bucket
	start  int64
	values [][]float64 // per metric column, of the current bucket; reused
	out    []probedata.Bucket
}

// add takes a row: created_ms, then the metric columns (float64 or nil).
func (b *bucketer) add(row []driver.Value) {
	created, _ := row[0].(int64)
	if start := created - mod(created, b.width); start != b.start || b.cur.Count == 0 {
		b.flush()
		b.start = start
	}
	b.cur.Count++
	for j, v := range row[1:] {
		if f, ok := v.(float64); ok {
			b.values[j] = append(b.values[j], f)
		}
	}
}

// flush ends the current bucket.
func (b *bucketer) flush() {
	if b.cur.Count == 0 {
		return
	}
	bk := b.cur
	bk.Start = probesql.FromMillis(b.start)
	bk.Metrics = map[string]probedata.MetricStats{}
	for j, v := range b.values {
		if len(v) > 0 {
			bk.Metrics[b.names[j]] = summarize(v)
		}
		b.values[j] = v[:0]
	}
	b.out = append(b.out, bk)
	b.cur.Count = 0
}

// mod is the non-negative remainder, so buckets align to the epoch before
// 1970 too.
func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// summarize computes the statistics of v (non-empty); it sorts v. The
// percentile interpolates linearly between closest ranks, like
// PostgreSQL's percentile_cont and ClickHouse's quantile.
func summarize(v []float64) probedata.MetricStats {
	slices.Sort(v)
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	pos := 0.95 * float64(len(v)-1)
	lo := int(pos)
	p95 := v[lo]
	if lo+1 < len(v) {
		p95 += (pos - float64(lo)) * (v[lo+1] - v[lo])
	}
	return probedata.MetricStats{Avg: sum / float64(len(v)), Min: v[0], Max: v[len(v)-1], P95: p95}
}
