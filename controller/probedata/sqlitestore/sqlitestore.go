// Package sqlitestore is the embedded probe-data store: SQLite
// (modernc.org/sqlite, pure Go) in a file of its own, apart from the
// metadata database, so ingest never holds a lock that metadata writes wait
// for.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/backends/probesql"
)

var dialect = &probesql.Dialect{
	Param: func(int) string { return "?" },
	Types: map[probesql.Kind]string{
		probesql.Int: "INTEGER NOT NULL", probesql.Text: "TEXT NOT NULL",
		probesql.Bool: "INTEGER NOT NULL", probesql.Metric: "REAL",
	},
	// SQLite's substr counts characters.
	PrefixLen: func(p string) int { return len([]rune(p)) },
}

// Schema, and why (measured on the 2-core CI machine, 1,000 interleaved
// probes, batches of 1,000, see BenchmarkInsert and docs/performance.md;
// with 1M rows stored: ~14-21k rows/s with these indexes, ~58k without,
// and ~45 ms for the 30-day aggregate):
//
//   - id INTEGER PRIMARY KEY is the controller's time-ordered id, so the
//     table itself is append-only (one hot page per batch), and retention is
//     a range delete from its start.
//   - The cost of an index is the number of distinct pages a batch dirties:
//     every dirty page goes to the WAL in full at commit. A per-probe index
//     dirties one page per probe per batch (~1.3 WAL frames per row), which
//     is what takes a plain batched insert from ~100k to ~25k rows/s; an
//     index that only appends (time-ordered keys) costs ~0.01 frames per row.
//     So there is exactly one per-probe index, and it carries everything the
//     per-probe queries read: probe_data_probe is (workspace, probe,
//     created) plus agent, type and every metric column, so the aggregate of
//     a chart (43,200 rows for 30 days of 1-minute data) reads a contiguous
//     run of index pages instead of 43,200 table pages scattered among the
//     other probes' rows (~400 ms measured, against the 50 ms target). Making
//     it covering costs ~0.4 WAL frames per row more than the bare key.
//   - probe_data_time is (workspace, created) plus the cheap filter columns:
//     its key is almost time-ordered, so it appends. It serves the
//     workspace-wide queries (find, by-target, agent netinfo) newest first.
//   - probe_data_uid is UNIQUE (uid, agent_id) on rows with a uid. With uid
//     first, time-ordered uids (our agent's, the bench's) append; the
//     (agent_id, uid) order costs one dirty page per agent per batch
//     (measured 3.2 against 1.9 WAL frames per row). Rows from deployed
//     agents, which send no uid, are not in it at all.
//   - WITHOUT ROWID clustering by probe was measured worse (2.8 frames per
//     row before the uid index): full rows split pages far more often than
//     index entries. Smaller pages (1 and 2 KiB) were slower too: the cost
//     is per WAL frame, not per byte. 4 KiB pages stay.
//   - probe_series (see probesql) lists the series that have rows, so
//     LatestPerProbe seeks only the probes that can answer.
var schema = []string{
	"CREATE TABLE IF NOT EXISTS probe_data (\n  " + dialect.ColumnDefs(map[string]string{"id": "INTEGER PRIMARY KEY"}) + "\n)",
	"CREATE INDEX IF NOT EXISTS probe_data_probe ON probe_data (workspace_id, probe_id, created_ms, agent_id, type, " +
		strings.Join(probesql.MetricNames(), ", ") + ")",
	"CREATE INDEX IF NOT EXISTS probe_data_time ON probe_data (workspace_id, created_ms, type, agent_id, probe_id)",
	"CREATE UNIQUE INDEX IF NOT EXISTS probe_data_uid ON probe_data (uid, agent_id) WHERE uid <> ''",
	"CREATE TABLE IF NOT EXISTS probe_series (workspace_id INTEGER NOT NULL, probe_id INTEGER NOT NULL, " +
		"type TEXT NOT NULL, agent_id INTEGER NOT NULL, target TEXT NOT NULL, " +
		"PRIMARY KEY (workspace_id, probe_id, type, agent_id, target)) WITHOUT ROWID",
}

// The WAL is checkpointed every 16,384 pages (64 MiB) instead of every
// 1,000: a hot index page is rewritten in the WAL by every batch but copied
// to the database once per checkpoint, and with a per-probe index a batch
// alone dirties more than 1,000 pages. The 64 MiB page cache keeps those
// hot pages (one per probe in probe_data_probe) in memory. journal_size_limit
// shrinks the WAL file back after a checkpoint.
const (
	pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=wal_autocheckpoint(16384)&_pragma=journal_size_limit(67108864)"
	writerPragmas = "&_pragma=cache_size(-65536)&_txlock=immediate"
	readerPragmas = "&_pragma=cache_size(-16384)&_query_only=1"
	readers       = 4
)

// insertSQL adds one row; a row whose uid is already stored for its agent
// (or whose id is, when a batch is retried after an unknown outcome) is
// skipped. ON CONFLICT rather than INSERT OR IGNORE: OR IGNORE would also
// drop rows that break NOT NULL, silently.
var insertSQL = "INSERT INTO probe_data (" + probesql.ColumnList + ") VALUES (" +
	strings.TrimSuffix(strings.Repeat("?, ", len(probesql.Columns)), ", ") + ") ON CONFLICT DO NOTHING"

// Store is a probe-data store in one SQLite file.
type Store struct {
	// write has one connection: SQLite has one writer at a time, and
	// queueing writers in Go is cheaper than on busy_timeout.
	write  *sql.DB
	read   *sql.DB
	insert *sql.Stmt
	series probesql.KnownSeries
}

var _ probedata.Store = (*Store)(nil)

// Open opens (creating if needed) the store in the file at path.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create probe-data directory: %w", err)
	}
	dsn := "file:" + path + "?" + pragmas
	s := &Store{}
	var err error
	if s.write, err = sql.Open("sqlite", dsn+writerPragmas); err != nil {
		return nil, fmt.Errorf("open probe-data sqlite %s: %w", path, err)
	}
	s.write.SetMaxOpenConns(1)
	for _, ddl := range schema {
		if _, err := s.write.ExecContext(ctx, ddl); err != nil {
			s.write.Close()
			return nil, fmt.Errorf("create probe-data schema in %s: %w", path, err)
		}
	}
	if s.insert, err = s.write.PrepareContext(ctx, insertSQL); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("prepare probe-data insert: %w", err)
	}
	if s.read, err = sql.Open("sqlite", dsn+readerPragmas); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("open probe-data sqlite %s: %w", path, err)
	}
	s.read.SetMaxOpenConns(readers)
	s.read.SetMaxIdleConns(readers)
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.insert.Close()
	return errors.Join(s.read.Close(), s.write.Close())
}

// Insert stores rows in one transaction.
func (s *Store) Insert(ctx context.Context, rows []probedata.Row) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin probe-data insert: %w", err)
	}
	defer tx.Rollback()
	stmt := tx.StmtContext(ctx, s.insert)
	inserted := 0
	for i := range rows {
		res, err := stmt.ExecContext(ctx, probesql.Values(&rows[i])...)
		if err != nil {
			return 0, fmt.Errorf("insert probe data: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("insert probe data: %w", err)
		}
		inserted += int(n)
	}
	// A skipped duplicate may add its series too: harmless, the original
	// row is in the same series.
	series := s.series.Unknown(rows)
	for _, st := range dialect.InsertSeries(series) {
		if _, err := tx.ExecContext(ctx, st.SQL, st.Args...); err != nil {
			return 0, fmt.Errorf("record probe-data series: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit probe data: %w", err)
	}
	s.series.Stored(series)
	return inserted, nil
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
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query probe data: %w", err)
	}
	defer rows.Close()
	return probesql.ReadAll(rows)
}

// deleteChunk bounds each retention or purge transaction, so the writer
// is never held long and ingest batches slot in between chunks.
const deleteChunk = 5000

// DeleteBefore deletes rows received before cutoff. Ids are generated at
// receive time (ReceivedAt is TimeOfID(ID)), so that is every id below
// FirstIDAt(cutoff): a range at the start of the table, deleted in chunks.
func (s *Store) DeleteBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	const chunk = "DELETE FROM probe_data WHERE id IN (SELECT id FROM probe_data WHERE id < ? ORDER BY id LIMIT ?)"
	total, err := s.deleteChunks(ctx, chunk, probedata.FirstIDAt(cutoff), deleteChunk)
	if err != nil {
		return total, fmt.Errorf("probe-data retention: %w", err)
	}
	return total, nil
}

// DeleteWorkspace deletes every row of a workspace.
func (s *Store) DeleteWorkspace(ctx context.Context, workspaceID int64) error {
	st := dialect.DeleteWorkspaceChunk(workspaceID, deleteChunk)
	if _, err := s.deleteChunks(ctx, st.SQL, st.Args...); err != nil {
		return fmt.Errorf("purge probe data of workspace %d: %w", workspaceID, err)
	}
	return nil
}

// deleteChunks runs a chunked delete until a chunk comes back short, then
// drops the series left without rows.
func (s *Store) deleteChunks(ctx context.Context, chunk string, args ...any) (int64, error) {
	var total int64
	for {
		res, err := s.write.ExecContext(ctx, chunk, args...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < deleteChunk {
			break
		}
	}
	if total == 0 {
		return 0, nil
	}
	s.series.Forget()
	if _, err := s.write.ExecContext(ctx, probesql.PruneSeries); err != nil {
		return total, err
	}
	return total, nil
}
