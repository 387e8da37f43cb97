package probesql

import (
	"cmp"
	"slices"
	"sync"

	"github.com/netwatcher/netwatcher/controller/probedata"
)

// The probe_series table (SQLite and PostgreSQL) lists every (workspace,
// probe, type, reporting agent, target) that has rows. LatestPerProbe
// starts from it: "the newest PING row of every probe" then costs one index
// seek per probe that has PING rows, instead of walking the history of
// every other probe looking for a PING row it never had.

// Series identifies one series of results.
type Series struct {
	WorkspaceID, ProbeID, AgentID int64
	Type, Target                  string
}

// SeriesOf is the series r belongs to.
func SeriesOf(r *probedata.Row) Series {
	return Series{WorkspaceID: r.WorkspaceID, ProbeID: r.ProbeID, AgentID: r.AgentID, Type: r.Type, Target: r.Target}
}

// SeriesColumns are probe_series' columns, in the order InsertSeries writes them.
const SeriesColumns = "workspace_id, probe_id, type, agent_id, target"

// maxSeriesPerStatement keeps InsertSeries' statements far below every
// engine's limit on bound parameters (SQLite: 32766).
const maxSeriesPerStatement = 1000

// InsertSeries is the statements adding series (existing ones are left
// alone), at most maxSeriesPerStatement per statement.
func (d *Dialect) InsertSeries(series []Series) []Statement {
	var out []Statement
	for len(series) > 0 {
		n := min(len(series), maxSeriesPerStatement)
		b := &builder{d: d}
		b.printf("INSERT INTO probe_series (%s) VALUES ", SeriesColumns)
		for i, s := range series[:n] {
			if i > 0 {
				b.printf(", ")
			}
			b.printf("(%s, %s, %s, %s, %s)", b.arg(s.WorkspaceID), b.arg(s.ProbeID), b.arg(s.Type), b.arg(s.AgentID), b.arg(s.Target))
		}
		b.printf(" ON CONFLICT DO NOTHING")
		out = append(out, Statement{b.sql.String(), b.args})
		series = series[n:]
	}
	return out
}

// Statement is SQL text with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// LatestPerProbe is the query for Store.LatestPerProbe on engines with
// probe_series: candidate probes come from the series that match q's
// series columns, and each one's newest matching row from the per-probe
// index. Rows are ordered by probe id; Limit keeps the lowest ids.
func (d *Dialect) LatestPerProbe(q probedata.Query) (Statement, error) {
	if q.Limit < 1 {
		return Statement{}, ErrNoLimit
	}
	b := &builder{d: d}
	newest := func() {
		b.where(q)
		b.printf(" AND probe_id = s.probe_id ORDER BY created_ms DESC, id DESC LIMIT 1")
	}
	probes := func() {
		b.printf("(SELECT DISTINCT probe_id FROM probe_series")
		b.where(SeriesQuery(q))
		b.printf(") s")
	}
	if d.Lateral {
		b.printf("SELECT d.* FROM ")
		probes()
		b.printf(" CROSS JOIN LATERAL (SELECT %s FROM probe_data", ColumnList)
		newest()
		b.printf(") d ORDER BY d.probe_id LIMIT %d", q.Limit)
		return Statement{b.sql.String(), b.args}, nil
	}
	// Without LATERAL: the newest row's id per probe, then the rows by id.
	// The ids come from q's workspace only; a workspace condition on the
	// outer query made SQLite scan the workspace's rows instead.
	b.printf("SELECT %s FROM probe_data WHERE id IN (SELECT (SELECT id FROM probe_data", ColumnList)
	newest()
	b.printf(") FROM ")
	probes()
	b.printf(") ORDER BY probe_id LIMIT %d", q.Limit)
	return Statement{b.sql.String(), b.args}, nil
}

// SeriesQuery keeps the filters of q that probe_series can answer: a
// series matching it may hold rows matching q, and no other series can.
func SeriesQuery(q probedata.Query) probedata.Query {
	return probedata.Query{WorkspaceID: q.WorkspaceID, ProbeID: q.ProbeID, Type: q.Type, AgentID: q.AgentID,
		Target: q.Target, TargetPrefix: q.TargetPrefix}
}

// SeriesTypes is the query for the result types of the series q may
// match, to choose an aggregate's metric columns.
func (d *Dialect) SeriesTypes(q probedata.Query) Statement {
	b := &builder{d: d}
	b.printf("SELECT DISTINCT type FROM probe_series")
	b.where(SeriesQuery(q))
	return Statement{b.sql.String(), b.args}
}

// PruneSeries deletes the series no row belongs to any more (after
// retention or a workspace purge).
const PruneSeries = `DELETE FROM probe_series WHERE NOT EXISTS (SELECT 1 FROM probe_data d
  WHERE d.workspace_id = probe_series.workspace_id AND d.probe_id = probe_series.probe_id
    AND d.type = probe_series.type AND d.agent_id = probe_series.agent_id AND d.target = probe_series.target)`

// DeleteWorkspaceChunk deletes up to n rows of a workspace; repeat until it
// deletes none. Small transactions keep the writer available to ingest.
func (d *Dialect) DeleteWorkspaceChunk(workspaceID int64, n int) Statement {
	b := &builder{d: d}
	b.printf("DELETE FROM probe_data WHERE id IN (SELECT id FROM probe_data WHERE workspace_id = %s LIMIT %d)", b.arg(workspaceID), n)
	return Statement{b.sql.String(), b.args}
}

// KnownSeries remembers series already written to probe_series, so that
// steady ingest writes none: a batch only adds series it introduces.
// Forget it whenever series may have been pruned.
type KnownSeries struct {
	mu   sync.Mutex
	seen map[Series]struct{}
}

// Unknown returns the distinct series of rows not known to be stored, in
// a fixed order (so concurrent writers lock them in the same order).
func (k *KnownSeries) Unknown(rows []probedata.Row) []Series {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []Series
	batch := map[Series]struct{}{}
	for i := range rows {
		s := SeriesOf(&rows[i])
		if _, ok := k.seen[s]; ok {
			continue
		}
		if _, ok := batch[s]; ok {
			continue
		}
		batch[s] = struct{}{}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Series) int {
		return cmp.Or(cmp.Compare(a.WorkspaceID, b.WorkspaceID), cmp.Compare(a.ProbeID, b.ProbeID),
			cmp.Compare(a.Type, b.Type), cmp.Compare(a.AgentID, b.AgentID), cmp.Compare(a.Target, b.Target))
	})
	return out
}

// Stored records series as written (call after the commit).
func (k *KnownSeries) Stored(series []Series) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.seen == nil {
		k.seen = map[Series]struct{}{}
	}
	for _, s := range series {
		k.seen[s] = struct{}{}
	}
}

// Forget drops everything remembered.
func (k *KnownSeries) Forget() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seen = nil
}
