// Package chstore is the ClickHouse probe-data store, the scale-out engine
// (clickhouse-go/v2, native protocol). Its DDL and queries stay in the
// subset that ClickHouse 18.16 (Debian's, used in CI) and current versions
// share: no DateTime64, TTL, LowCardinality, Map or JSON; no server-side
// query parameters (arguments are bound by the client as literals); every
// batch insert names its columns.
package chstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/backends/probesql"
)

var dialect = &probesql.Dialect{
	Param: func(int) string { return "?" },
	Types: map[probesql.Kind]string{
		probesql.Int: "Int64", probesql.Text: "String", probesql.Bool: "UInt8", probesql.Metric: "Nullable(Float64)",
	},
	// ClickHouse's substr counts bytes.
	PrefixLen: func(p string) int { return len(p) },
	Bucket:    func(col string, ms int64) string { return fmt.Sprintf("intDiv(%s, %d) * %[2]d", col, ms) },
	// quantile keeps an exact reservoir of up to 8,192 values per group and
	// interpolates like percentile_cont; bigger buckets are sampled.
	P95:   func(col string) string { return "quantile(0.95)(" + col + ")" },
	Int64: func(expr string) string { return "toInt64(" + expr + ")" }, // count() is UInt64
}

// day is the partition key: the UTC day of receipt as YYYYMMDD (explicit
// UTC, or the server's time zone would decide where days end).
const day = "toYYYYMMDD(toDateTime(intDiv(received_ms, 1000), 'UTC'))"

// Schema, and why:
//   - MergeTree ordered by (workspace, probe, created, id): every query is
//     scoped to a workspace and most to a probe, so they read a few
//     granules through the primary index.
//   - Partitioned by the UTC day of receipt, so retention drops partitions
//     (TTL does not exist on 18.16). Times are Int64 epoch milliseconds
//     (no DateTime64 on 18.16); the day is computed from received_ms.
//   - There are no unique constraints. probe_data_uid, ordered by uid,
//     holds the uids seen; Insert looks up the batch's uids there (one
//     query per 1,000 uids) and skips those already stored. Time-ordered
//     uids keep that lookup to a few granules.
var schema = []string{
	"CREATE TABLE IF NOT EXISTS probe_data (\n  " + dialect.ColumnDefs(nil) + "\n) ENGINE = MergeTree() PARTITION BY " + day +
		" ORDER BY (workspace_id, probe_id, created_ms, id)",
	"CREATE TABLE IF NOT EXISTS probe_data_uid (uid String, agent_id Int64, received_ms Int64) ENGINE = MergeTree() PARTITION BY " + day +
		" ORDER BY (uid, agent_id)",
}

// Store is a probe-data store in ClickHouse.
type Store struct {
	conn driver.Conn
	db   string
	// mu makes the uid check and the insert one step within this
	// controller. Across controllers two inserts of one result can still
	// both pass the check; that needs the same result posted to two
	// replicas at once, which one live connection per agent rules out
	// except during a reconnect.
	mu sync.Mutex
}

var _ probedata.Store = (*Store)(nil)

// Open connects to url (clickhouse://host:9000/db), creating the database
// and tables if needed.
func Open(ctx context.Context, url string) (*Store, error) {
	opts, err := clickhouse.ParseDSN(url)
	if err != nil {
		return nil, fmt.Errorf("probe-data clickhouse URL: %w", err)
	}
	db := opts.Auth.Database
	if db == "" {
		db = "default"
	}
	// The database may not exist yet, and a connection naming it would
	// fail: create it over a connection to the server's default database.
	server := *opts
	server.Auth.Database = ""
	if err := exec(ctx, &server, "CREATE DATABASE IF NOT EXISTS "+quote(db)); err != nil {
		return nil, err
	}
	opts.Auth.Database = db
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("connect probe-data clickhouse: %w", err)
	}
	for _, ddl := range schema {
		if err := conn.Exec(ctx, ddl); err != nil {
			conn.Close()
			return nil, fmt.Errorf("create probe-data schema: %w", err)
		}
	}
	return &Store{conn: conn, db: db}, nil
}

// exec runs one statement on a connection of its own.
func exec(ctx context.Context, opts *clickhouse.Options, query string) error {
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return fmt.Errorf("connect probe-data clickhouse: %w", err)
	}
	defer conn.Close()
	if err := conn.Exec(ctx, query); err != nil {
		return fmt.Errorf("probe-data clickhouse: %w", err)
	}
	return nil
}

// quote quotes an identifier.
func quote(name string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(name) + "`"
}

// Close closes the connections.
func (s *Store) Close() error { return s.conn.Close() }

// Insert stores the rows whose (agent, uid) is not stored yet. The rows go
// in before their uids: if the second insert fails, a retry stores the
// rows again (a duplicate) rather than skipping rows never stored.
func (s *Store) Insert(ctx context.Context, rows []probedata.Row) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.unseen(ctx, probesql.DistinctUIDs(rows))
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO probe_data ("+probesql.ColumnList+")")
	if err != nil {
		return 0, fmt.Errorf("insert probe data: %w", err)
	}
	// A batch holds its connection until sent; Abort frees it on the error
	// paths and does nothing after Send.
	defer batch.Abort()
	for i := range rows {
		if err := batch.Append(probesql.Values(&rows[i])...); err != nil {
			return 0, fmt.Errorf("insert probe data: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return 0, fmt.Errorf("insert probe data: %w", err)
	}
	if err := s.recordUIDs(ctx, rows); err != nil {
		return 0, fmt.Errorf("record probe-data uids: %w", err)
	}
	return len(rows), nil
}

// recordUIDs stores the uids of rows that have one.
func (s *Store) recordUIDs(ctx context.Context, rows []probedata.Row) error {
	var batch driver.Batch
	for _, r := range rows {
		if r.UID == "" {
			continue
		}
		if batch == nil {
			var err error
			if batch, err = s.conn.PrepareBatch(ctx, "INSERT INTO probe_data_uid (uid, agent_id, received_ms)"); err != nil {
				return err
			}
			defer batch.Abort()
		}
		if err := batch.Append(r.UID, r.AgentID, r.ReceivedAt.UnixMilli()); err != nil {
			return err
		}
	}
	if batch == nil {
		return nil
	}
	return batch.Send()
}

// uidLookup bounds the uids of one lookup query, whose text holds them all
// (ClickHouse's max_query_size is 256 KiB by default).
const uidLookup = 1000

// unseen drops rows whose (agent, uid) is stored already.
func (s *Store) unseen(ctx context.Context, rows []probedata.Row) ([]probedata.Row, error) {
	type key struct {
		uid   string
		agent int64
	}
	var uids []any
	for _, r := range rows {
		if r.UID != "" {
			uids = append(uids, r.UID)
		}
	}
	stored := map[key]bool{}
	for len(uids) > 0 {
		n := min(len(uids), uidLookup)
		found, err := s.conn.Query(ctx, "SELECT uid, agent_id FROM probe_data_uid WHERE uid IN ?", clickhouse.GroupSet{Value: uids[:n]})
		if err != nil {
			return nil, fmt.Errorf("look up probe-data uids: %w", err)
		}
		for found.Next() {
			var k key
			if err := found.Scan(&k.uid, &k.agent); err != nil {
				found.Close()
				return nil, fmt.Errorf("look up probe-data uids: %w", err)
			}
			stored[k] = true
		}
		err = found.Err()
		found.Close()
		if err != nil {
			return nil, fmt.Errorf("look up probe-data uids: %w", err)
		}
		uids = uids[n:]
	}
	if len(stored) == 0 {
		return rows, nil
	}
	out := rows[:0:0]
	for _, r := range rows {
		if r.UID == "" || !stored[key{r.UID, r.AgentID}] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Find returns rows matching q. Sorting whole rows would read every
// matching payload; the inner query picks the rows by their key columns
// and the outer one reads just those, through the primary index.
func (s *Store) Find(ctx context.Context, q probedata.Query) ([]probedata.Row, error) {
	inner, args, err := dialect.Select(q, "probe_id, created_ms, id")
	if err != nil {
		return nil, err
	}
	query := fmt.Sprintf("SELECT %s FROM probe_data WHERE workspace_id = ? AND (probe_id, created_ms, id) IN (%s)%s",
		probesql.ColumnList, inner, probesql.Order(q))
	return s.query(ctx, query, append([]any{q.WorkspaceID}, args...))
}

// LatestPerProbe returns the newest matching row of each probe. The inner
// query finds each probe's newest id reading only the small columns; the
// outer one reads whole rows (payloads included) for those ids alone.
func (s *Store) LatestPerProbe(ctx context.Context, q probedata.Query) ([]probedata.Row, error) {
	if q.Limit < 1 {
		return nil, probesql.ErrNoLimit
	}
	where, args := dialect.Where(q)
	query := fmt.Sprintf(`SELECT %s FROM probe_data WHERE workspace_id = ? AND (probe_id, id) IN (
  SELECT probe_id, argMax(id, (created_ms, id)) FROM probe_data%s GROUP BY probe_id ORDER BY probe_id LIMIT %d)
ORDER BY probe_id`, probesql.ColumnList, where, q.Limit)
	return s.query(ctx, query, append([]any{q.WorkspaceID}, args...))
}

func (s *Store) query(ctx context.Context, query string, args []any) ([]probedata.Row, error) {
	rows, err := s.conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query probe data: %w", err)
	}
	defer rows.Close()
	return probesql.ReadAll(rows)
}

// Aggregate buckets rows in SQL, over the metric columns that the result
// types present can carry: each one costs a quantile state per bucket.
func (s *Store) Aggregate(ctx context.Context, q probedata.Query, bucket time.Duration) ([]probedata.Bucket, error) {
	if bucket < time.Millisecond {
		return nil, fmt.Errorf("aggregate bucket %s is shorter than a millisecond", bucket)
	}
	where, args := dialect.Where(q)
	typeRows, err := s.conn.Query(ctx, "SELECT DISTINCT type FROM probe_data"+where, args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	var types []string
	for typeRows.Next() {
		var typ string
		if err := typeRows.Scan(&typ); err != nil {
			typeRows.Close()
			return nil, fmt.Errorf("aggregate probe data: %w", err)
		}
		types = append(types, typ)
	}
	err = typeRows.Err()
	typeRows.Close()
	if err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	cols := probesql.MetricsOf(types)
	query, args := dialect.Aggregate(q, bucket, cols)
	rows, err := s.conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	defer rows.Close()
	return probesql.ScanBuckets(rows, cols)
}
