// Package litestore is a stop-gap SQLite probe-data store used until the
// tuned backends land; it favours simplicity over insert speed.
package litestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// Store is a SQLite probe-data store.
type Store struct {
	db *sql.DB
}

var metricNames = []string{metrics.PacketLoss, metrics.Latency, metrics.Jitter, metrics.MOS, metrics.EndHopLoss,
	metrics.EndHopLatency, metrics.HopCount, metrics.RouteChange, metrics.DNSQueryTime, metrics.DNSFailure,
	metrics.HTTPStatus, metrics.HTTPTotalMs, metrics.HTTPTTFB, metrics.HTTPFailure, metrics.TLSExpiryDays,
	metrics.CPUUsage, metrics.MemoryUsage}

// Open opens (creating) the store at path.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	cols := ""
	for _, m := range metricNames {
		cols += ", " + m + " REAL"
	}
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS probe_data (id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, probe_id INTEGER NOT NULL,
			probe_agent_id INTEGER NOT NULL, agent_id INTEGER NOT NULL, type TEXT NOT NULL, target TEXT NOT NULL,
			target_agent INTEGER NOT NULL, triggered INTEGER NOT NULL, triggered_reason TEXT NOT NULL, created_ms INTEGER NOT NULL,
			received_ms INTEGER NOT NULL, uid TEXT NOT NULL, path TEXT NOT NULL, payload TEXT NOT NULL` + cols + `)`,
		`CREATE INDEX IF NOT EXISTS probe_data_probe ON probe_data (probe_id, id)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS probe_data_uid ON probe_data (agent_id, uid) WHERE uid <> ''`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("probe-data schema: %w", err)
		}
	}
	return &Store{db: db}, nil
}

func (s *Store) Close() error { return s.db.Close() }

func (s *Store) Insert(ctx context.Context, rows []probedata.Row) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	q := `INSERT OR IGNORE INTO probe_data (id, workspace_id, probe_id, probe_agent_id, agent_id, type, target, target_agent,
		triggered, triggered_reason, created_ms, received_ms, uid, path, payload, ` + strings.Join(metricNames, ", ") + `) VALUES (` +
		strings.TrimSuffix(strings.Repeat("?,", 15+len(metricNames)), ",") + `)`
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	for _, r := range rows {
		args := []any{r.ID, r.WorkspaceID, r.ProbeID, r.ProbeAgentID, r.AgentID, r.Type, r.Target, r.TargetAgent, r.Triggered,
			r.TriggeredReason, r.CreatedAt.UnixMilli(), r.ReceivedAt.UnixMilli(), r.UID, r.Path, string(r.Payload)}
		m := r.Metrics.Metrics()
		for _, name := range metricNames {
			if v, ok := m[name]; ok {
				args = append(args, v)
			} else {
				args = append(args, nil)
			}
		}
		res, err := stmt.ExecContext(ctx, args...)
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, tx.Commit()
}

func where(q probedata.Query) (string, []any) {
	conds := []string{"workspace_id = ?"}
	args := []any{q.WorkspaceID}
	add := func(c string, a any) { conds = append(conds, c); args = append(args, a) }
	if q.Type != "" {
		add("type = ?", q.Type)
	}
	if q.ProbeID != nil {
		add("probe_id = ?", *q.ProbeID)
	}
	if q.AgentID != 0 {
		add("agent_id = ?", q.AgentID)
	}
	if q.ProbeAgentID != 0 {
		add("probe_agent_id = ?", q.ProbeAgentID)
	}
	if q.TargetAgent != 0 {
		add("target_agent = ?", q.TargetAgent)
	}
	if q.Target != "" {
		add("target = ?", q.Target)
	}
	if q.TargetPrefix != "" {
		add("substr(target, 1, ?) = ?", len(q.TargetPrefix))
		args = append(args, q.TargetPrefix)
	}
	if q.Triggered != nil {
		add("triggered = ?", *q.Triggered)
	}
	if !q.From.IsZero() {
		add("created_ms >= ?", q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		add("created_ms <= ?", q.To.UnixMilli())
	}
	return strings.Join(conds, " AND "), args
}

var rowColumns = `id, workspace_id, probe_id, probe_agent_id, agent_id, type, target, target_agent, triggered, triggered_reason,
	created_ms, received_ms, uid, path, payload, ` + strings.Join(metricNames, ", ")

func scan(rows *sql.Rows) ([]probedata.Row, error) {
	defer rows.Close()
	out := []probedata.Row{}
	for rows.Next() {
		var r probedata.Row
		var created, received int64
		var payload string
		vals := make([]sql.NullFloat64, len(metricNames))
		dest := []any{&r.ID, &r.WorkspaceID, &r.ProbeID, &r.ProbeAgentID, &r.AgentID, &r.Type, &r.Target, &r.TargetAgent,
			&r.Triggered, &r.TriggeredReason, &created, &received, &r.UID, &r.Path, &payload}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if v.Valid {
				f := v.Float64
				*metricField(&r.Metrics, metricNames[i]) = &f
			}
		}
		r.CreatedAt, r.ReceivedAt = time.UnixMilli(created).UTC(), time.UnixMilli(received).UTC()
		r.Payload = json.RawMessage(payload)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) Find(ctx context.Context, q probedata.Query) ([]probedata.Row, error) {
	w, args := where(q)
	order := "DESC"
	if q.Asc {
		order = "ASC"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+rowColumns+` FROM probe_data WHERE `+w+
		` ORDER BY created_ms `+order+`, id `+order+` LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

func (s *Store) LatestPerProbe(ctx context.Context, q probedata.Query) ([]probedata.Row, error) {
	w, args := where(q)
	rows, err := s.db.QueryContext(ctx, `SELECT `+rowColumns+` FROM probe_data WHERE id IN (
		SELECT MAX(id) FROM probe_data WHERE `+w+` GROUP BY probe_id) ORDER BY probe_id LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

func (s *Store) Aggregate(ctx context.Context, q probedata.Query, bucket time.Duration) ([]probedata.Bucket, error) {
	w, args := where(q)
	rows, err := s.db.QueryContext(ctx, `SELECT created_ms, agent_id, type, `+strings.Join(metricNames, ", ")+
		` FROM probe_data WHERE `+w+` ORDER BY created_ms`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct {
		start int64
		agent int64
		typ   string
	}
	values := map[key]map[string][]float64{}
	counts := map[key]int{}
	var order []key
	width := bucket.Milliseconds()
	for rows.Next() {
		var created, agent int64
		var typ string
		vals := make([]sql.NullFloat64, len(metricNames))
		dest := []any{&created, &agent, &typ}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		k := key{created - created%width, agent, typ}
		if _, ok := values[k]; !ok {
			values[k] = map[string][]float64{}
			order = append(order, k)
		}
		counts[k]++
		for i, v := range vals {
			if v.Valid {
				values[k][metricNames[i]] = append(values[k][metricNames[i]], v.Float64)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []probedata.Bucket{}
	for _, k := range order {
		b := probedata.Bucket{Start: time.UnixMilli(k.start).UTC(), Count: counts[k], Type: k.typ, AgentID: k.agent, Metrics: map[string]probedata.MetricStats{}}
		for name, xs := range values[k] {
			slices.Sort(xs)
			sum := 0.0
			for _, x := range xs {
				sum += x
			}
			b.Metrics[name] = probedata.MetricStats{Avg: sum / float64(len(xs)), Min: xs[0], Max: xs[len(xs)-1],
				P95: xs[int(math.Ceil(0.95*float64(len(xs))))-1]}
		}
		out = append(out, b)
	}
	return out, nil
}

func (s *Store) DeleteBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM probe_data WHERE id < ?`, probedata.FirstIDAt(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *Store) DeleteWorkspace(ctx context.Context, workspaceID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM probe_data WHERE workspace_id = ?`, workspaceID)
	return err
}

// metricField maps a metric name to its field of Values.
func metricField(v *metrics.Values, name string) **float64 {
	return map[string]**float64{
		metrics.PacketLoss: &v.PacketLoss, metrics.Latency: &v.Latency, metrics.Jitter: &v.Jitter, metrics.MOS: &v.MOS,
		metrics.EndHopLoss: &v.EndHopLoss, metrics.EndHopLatency: &v.EndHopLatency, metrics.HopCount: &v.HopCount,
		metrics.RouteChange: &v.RouteChange, metrics.DNSQueryTime: &v.DNSQueryTime, metrics.DNSFailure: &v.DNSFailure,
		metrics.HTTPStatus: &v.HTTPStatus, metrics.HTTPTotalMs: &v.HTTPTotalMs, metrics.HTTPTTFB: &v.HTTPTTFB,
		metrics.HTTPFailure: &v.HTTPFailure, metrics.TLSExpiryDays: &v.TLSExpiryDays, metrics.CPUUsage: &v.CPUUsage,
		metrics.MemoryUsage: &v.MemoryUsage,
	}[name]
}
