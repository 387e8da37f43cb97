// Package pgstore is the PostgreSQL probe-data store (pgx, pgxpool): one
// table range-partitioned by receive time into daily partitions, so
// retention drops whole partitions instead of deleting rows.
package pgstore

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/backends/probesql"
)

var dialect = &probesql.Dialect{
	Param: func(n int) string { return "$" + strconv.Itoa(n) },
	Types: map[probesql.Kind]string{
		probesql.Int: "bigint NOT NULL", probesql.Text: "text NOT NULL",
		probesql.Bool: "boolean NOT NULL", probesql.Metric: "double precision",
	},
	// PostgreSQL's substr counts characters.
	PrefixLen: utf8.RuneCountInString,
	// Integer division truncates toward zero: epoch-aligned for every time
	// after 1970, which is all a probe result can carry.
	Bucket:  func(col string, ms int64) string { return fmt.Sprintf("(%s / %d) * %[2]d", col, ms) },
	P95:     func(col string) string { return "percentile_cont(0.95) WITHIN GROUP (ORDER BY " + col + ")" },
	Int64:   func(expr string) string { return expr }, // count is bigint already
	Lateral: true,
}

// Schema, and why:
//   - probe_data is partitioned by received_ms into one partition per UTC
//     day (probe_data_pYYYYMMDD), created ahead by the store, plus a
//     DEFAULT partition so a row never fails for want of one. Retention
//     drops partitions.
//   - A unique index on a partitioned table must contain the partition key,
//     so (agent_id, uid) cannot be unique there: a resent result has a new
//     receive time. Uids live in probe_data_uid, a plain table whose
//     primary key is the dedupe rule; an insert claims the uids first (ON
//     CONFLICT DO NOTHING RETURNING) and stores only the rows it claimed,
//     in the same statement, so concurrent writers (several controllers)
//     cannot both store one result. uid comes first in the key so
//     time-ordered uids append.
//   - The primary key (id, received_ms) makes a retried batch idempotent
//     and serves LatestPerProbe's lookups by id.
//   - probe_data_probe and probe_data_time serve the per-probe and the
//     workspace-wide queries; probe_series is explained in probesql.
var schema = []string{
	"CREATE TABLE IF NOT EXISTS probe_data (\n  " + dialect.ColumnDefs(nil) +
		",\n  PRIMARY KEY (id, received_ms)\n) PARTITION BY RANGE (received_ms)",
	"CREATE TABLE IF NOT EXISTS probe_data_default PARTITION OF probe_data DEFAULT",
	"CREATE INDEX IF NOT EXISTS probe_data_probe ON probe_data (workspace_id, probe_id, created_ms)",
	"CREATE INDEX IF NOT EXISTS probe_data_time ON probe_data (workspace_id, created_ms)",
	`CREATE TABLE IF NOT EXISTS probe_data_uid (uid text NOT NULL, agent_id bigint NOT NULL,
		received_ms bigint NOT NULL, PRIMARY KEY (uid, agent_id))`,
	"CREATE INDEX IF NOT EXISTS probe_data_uid_received ON probe_data_uid (received_ms)",
	`CREATE TABLE IF NOT EXISTS probe_series (workspace_id bigint NOT NULL, probe_id bigint NOT NULL,
		type text NOT NULL, agent_id bigint NOT NULL, target text NOT NULL,
		PRIMARY KEY (workspace_id, probe_id, type, agent_id, target))`,
}

// ddlLock serialises schema and partition changes between controllers
// sharing the database (pg_advisory_xact_lock key).
const ddlLock = 0x6e77_7064 // "nwpd"

// staging is each connection's temporary copy target: COPY cannot skip
// conflicting rows, so a batch is copied here and moved with one INSERT …
// SELECT that dedupes.
const staging = "CREATE TEMP TABLE IF NOT EXISTS probe_data_in (LIKE probe_data) ON COMMIT DELETE ROWS"

// insertSQL moves the staged batch: it claims the batch's uids, then
// stores rows without a uid and rows whose uid it claimed. A row already
// stored under its id (a retried batch) is skipped too. Uids are claimed
// in key order, so two controllers claiming overlapping uids wait for one
// another instead of deadlocking.
const insertSQL = `WITH claimed AS (
  INSERT INTO probe_data_uid (uid, agent_id, received_ms)
  SELECT uid, agent_id, received_ms FROM probe_data_in WHERE uid <> '' ORDER BY uid, agent_id
  ON CONFLICT DO NOTHING RETURNING uid, agent_id)
INSERT INTO probe_data SELECT * FROM probe_data_in i
WHERE i.uid = '' OR (i.uid, i.agent_id) IN (SELECT uid, agent_id FROM claimed)
ON CONFLICT DO NOTHING`

// Store is a probe-data store in PostgreSQL.
type Store struct {
	pool   *pgxpool.Pool
	series probesql.KnownSeries

	mu   sync.Mutex
	days map[int64]bool // UTC days (Unix day numbers) whose partition exists
}

var _ probedata.Store = (*Store)(nil)

// Open connects to url, creates the schema if needed and the partitions of
// today and the next days.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("probe-data postgres URL: %w", err)
	}
	if err := createSchema(ctx, cfg.ConnConfig); err != nil {
		return nil, err
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, staging)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect probe-data postgres: %w", err)
	}
	s := &Store{pool: pool, days: map[int64]bool{}}
	if err := s.loadPartitions(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	today := dayOf(time.Now())
	if err := s.ensurePartitions(ctx, []int64{today, today + 1, today + 2}); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// createSchema runs the DDL on a connection of its own (the pool's
// connections need probe_data to exist when they connect).
func createSchema(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect probe-data postgres: %w", err)
	}
	defer conn.Close(ctx)
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", ddlLock); err != nil {
			return fmt.Errorf("lock probe-data schema: %w", err)
		}
		for _, ddl := range schema {
			if _, err := tx.Exec(ctx, ddl); err != nil {
				return fmt.Errorf("create probe-data schema: %w", err)
			}
		}
		return nil
	})
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Insert stores rows in one transaction.
func (s *Store) Insert(ctx context.Context, rows []probedata.Row) (int, error) {
	rows = probesql.DistinctUIDs(rows)
	if len(rows) == 0 {
		return 0, nil
	}
	if err := s.ensurePartitions(ctx, daysOf(rows)); err != nil {
		return 0, err
	}
	series := s.series.Unknown(rows)
	var inserted int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		src := make([][]any, len(rows))
		for i := range rows {
			src[i] = probesql.Values(&rows[i])
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"probe_data_in"}, probesql.ColumnNames, pgx.CopyFromRows(src)); err != nil {
			return fmt.Errorf("copy probe data: %w", err)
		}
		tag, err := tx.Exec(ctx, insertSQL)
		if err != nil {
			return fmt.Errorf("insert probe data: %w", err)
		}
		inserted = tag.RowsAffected()
		for _, st := range dialect.InsertSeries(series) {
			if _, err := tx.Exec(ctx, st.SQL, st.Args...); err != nil {
				return fmt.Errorf("record probe-data series: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.series.Stored(series)
	return int(inserted), nil
}

// Find returns rows matching q.
func (s *Store) Find(ctx context.Context, q probedata.Query) ([]probedata.Row, error) {
	query, args, err := dialect.Find(q)
	if err != nil {
		return nil, err
	}
	return s.query(ctx, query, args)
}

// LatestPerProbe returns the newest matching row of each probe.
func (s *Store) LatestPerProbe(ctx context.Context, q probedata.Query) ([]probedata.Row, error) {
	st, err := dialect.LatestPerProbe(q)
	if err != nil {
		return nil, err
	}
	return s.query(ctx, st.SQL, st.Args)
}

func (s *Store) query(ctx context.Context, query string, args []any) ([]probedata.Row, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query probe data: %w", err)
	}
	defer rows.Close()
	return probesql.ReadAll(rows)
}

// Aggregate buckets rows in SQL (percentile_cont for the p95), over the
// metric columns that the types of the matching series can carry.
func (s *Store) Aggregate(ctx context.Context, q probedata.Query, bucket time.Duration) ([]probedata.Bucket, error) {
	if bucket < time.Millisecond {
		return nil, fmt.Errorf("aggregate bucket %s is shorter than a millisecond", bucket)
	}
	st := dialect.SeriesTypes(q)
	typeRows, err := s.pool.Query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	types, err := pgx.CollectRows(typeRows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	cols := probesql.MetricsOf(types)
	query, args := dialect.Aggregate(q, bucket, cols)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate probe data: %w", err)
	}
	defer rows.Close()
	return probesql.ScanBuckets(rows, cols)
}

// deleteChunk bounds each purge transaction.
const deleteChunk = 10000

// DeleteWorkspace deletes every row of a workspace, in chunks. Its uids
// stay until retention: agents belong to one workspace, so they can never
// collide with a later row.
func (s *Store) DeleteWorkspace(ctx context.Context, workspaceID int64) error {
	st := dialect.DeleteWorkspaceChunk(workspaceID, deleteChunk)
	for {
		tag, err := s.pool.Exec(ctx, st.SQL, st.Args...)
		if err != nil {
			return fmt.Errorf("purge probe data of workspace %d: %w", workspaceID, err)
		}
		if tag.RowsAffected() < deleteChunk {
			break
		}
	}
	return s.pruneSeries(ctx)
}

// pruneSeries drops series left without rows.
func (s *Store) pruneSeries(ctx context.Context) error {
	s.series.Forget()
	if _, err := s.pool.Exec(ctx, probesql.PruneSeries); err != nil {
		return fmt.Errorf("prune probe-data series: %w", err)
	}
	return nil
}
