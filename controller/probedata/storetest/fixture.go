// Package storetest is the conformance suite every probe-data backend
// runs (Run), plus the shared benchmarks (BenchInsert, BenchAggregate).
// Expected answers come from a plain Go model of the contract, never from
// another backend.
package storetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// rowMaker builds rows with ids generated the way the pipeline does:
// time-ordered, and ReceivedAt is the millisecond of the id.
type rowMaker struct{ n int64 }

// row is a result of probe in workspace ws reported by agent, created at
// created and received a second later.
func (m *rowMaker) row(ws, probe, agent int64, typ string, created time.Time) probedata.Row {
	return m.receivedAt(ws, probe, agent, typ, created, created.Add(time.Second))
}

func (m *rowMaker) receivedAt(ws, probe, agent int64, typ string, created, received time.Time) probedata.Row {
	m.n++
	// Below 2^22 the counter stays inside the millisecond's node and
	// sequence bits, so TimeOfID(id) is still received.
	id := probedata.FirstIDAt(received) + m.n
	return probedata.Row{
		ID: id, WorkspaceID: ws, ProbeID: probe, ProbeAgentID: agent, AgentID: agent, Type: typ,
		Target: "192.0.2.1", CreatedAt: created.UTC().Truncate(time.Millisecond), ReceivedAt: probedata.TimeOfID(id),
		Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, m.n)),
	}
}

func ptr(v float64) *float64 { return &v }

// insert stores rows and fails the test unless want of them are new.
func insert(t testing.TB, s probedata.Store, want int, rows ...probedata.Row) {
	t.Helper()
	got, err := s.Insert(t.Context(), rows)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if got != want {
		t.Fatalf("Insert reported %d new rows, want %d", got, want)
	}
}

// matches is the contract of Query as a predicate.
func matches(r probedata.Row, q probedata.Query) bool {
	switch {
	case r.WorkspaceID != q.WorkspaceID,
		q.ProbeID != nil && r.ProbeID != *q.ProbeID,
		q.Type != "" && r.Type != q.Type,
		q.AgentID != 0 && r.AgentID != q.AgentID,
		q.ProbeAgentID != 0 && r.ProbeAgentID != q.ProbeAgentID,
		q.TargetAgent != 0 && r.TargetAgent != q.TargetAgent,
		q.Target != "" && r.Target != q.Target,
		q.TargetPrefix != "" && !strings.HasPrefix(r.Target, q.TargetPrefix),
		q.Triggered != nil && r.Triggered != *q.Triggered,
		!q.From.IsZero() && r.CreatedAt.Before(q.From),
		!q.To.IsZero() && r.CreatedAt.After(q.To):
		return false
	}
	return true
}

// newestFirst orders rows by creation time, then id, newest first.
func newestFirst(a, b probedata.Row) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
}

// expectFind is what Find must return for q over all stored rows.
func expectFind(all []probedata.Row, q probedata.Query) []probedata.Row {
	var out []probedata.Row
	for _, r := range all {
		if matches(r, q) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, newestFirst)
	if q.Asc {
		slices.Reverse(out)
	}
	return out[:min(len(out), q.Limit)]
}

// expectLatest is what LatestPerProbe must return for q.
func expectLatest(all []probedata.Row, q probedata.Query) []probedata.Row {
	newest := map[int64]probedata.Row{}
	for _, r := range all {
		if n, ok := newest[r.ProbeID]; matches(r, q) && (!ok || newestFirst(r, n) < 0) {
			newest[r.ProbeID] = r
		}
	}
	out := make([]probedata.Row, 0, len(newest))
	for _, r := range newest {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b probedata.Row) int { return cmp.Compare(a.ProbeID, b.ProbeID) })
	return out[:min(len(out), q.Limit)]
}

// sameRows fails the test unless got and want hold the same rows in the
// same order; it names the first difference.
func sameRows(t testing.TB, what string, got, want []probedata.Row) {
	t.Helper()
	if ids(got) != ids(want) {
		t.Fatalf("%s: got ids %s, want %s", what, ids(got), ids(want))
	}
	for i := range got {
		if diff := rowDiff(got[i], want[i]); diff != "" {
			t.Fatalf("%s: row %d: %s", what, got[i].ID, diff)
		}
	}
}

func ids(rows []probedata.Row) string {
	s := make([]string, len(rows))
	for i, r := range rows {
		s[i] = fmt.Sprint(r.ID)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// rowDiff describes how a stored row differs from what was inserted.
// Times are compared as instants; what Values does not store (Path and
// CPU) must come back empty.
func rowDiff(got, want probedata.Row) string {
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.ReceivedAt.Equal(want.ReceivedAt) {
		return fmt.Sprintf("times %s/%s, want %s/%s", got.CreatedAt, got.ReceivedAt, want.CreatedAt, want.ReceivedAt)
	}
	if got.CreatedAt.Location() != time.UTC || got.ReceivedAt.Location() != time.UTC {
		return "times are not in UTC"
	}
	want.Metrics.Path, want.Metrics.CPU = nil, nil
	got.CreatedAt, got.ReceivedAt, want.CreatedAt, want.ReceivedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if string(got.Payload) != string(want.Payload) {
		return fmt.Sprintf("payload %s, want %s", got.Payload, want.Payload)
	}
	if !reflect.DeepEqual(got.Metrics.Metrics(), want.Metrics.Metrics()) {
		return fmt.Sprintf("metrics %v, want %v", got.Metrics.Metrics(), want.Metrics.Metrics())
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("got %+v\nwant %+v", got, want)
	}
	return ""
}

// pingValues are the metrics of a PING result with loss and latency.
func pingValues(loss, latency float64) metrics.Values {
	return metrics.Values{PacketLoss: ptr(loss), Latency: ptr(latency)}
}

// dataset is a small history of two workspaces: probes of several types,
// a bidirectional pair, virtual probes (id 0), triggered results, equal
// creation times, and workspace 2 reusing workspace 1's probe and agent
// ids, so any leak between workspaces shows.
func dataset(base time.Time) []probedata.Row {
	m := &rowMaker{}
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	var rows []probedata.Row
	add := func(r probedata.Row, edit func(*probedata.Row)) {
		if edit != nil {
			edit(&r)
		}
		rows = append(rows, r)
	}
	for i := range 6 { // PING probe 10 of agent 1
		add(m.row(1, 10, 1, protocol.TypePing, at(i)), func(r *probedata.Row) {
			r.Metrics = pingValues(float64(i%2)*10, 20+float64(i))
			r.Triggered, r.TriggeredReason = i == 3, map[bool]string{true: "loss"}[i == 3]
		})
	}
	for i := range 3 { // MTR probe 11 of agent 1
		add(m.row(1, 11, 1, protocol.TypeMTR, at(i)), func(r *probedata.Row) {
			r.Target = "192.0.2.10"
			r.Path = "198.51.100.1>192.0.2.10"
			r.Metrics = metrics.Values{EndHopLoss: ptr(0), HopCount: ptr(2), RouteChange: ptr(float64(i % 2))}
		})
	}
	for i := range 3 { // AGENT probe 12 of agent 1, both directions
		add(m.row(1, 12, 1, protocol.TypePing, at(i)), func(r *probedata.Row) {
			r.Target, r.TargetAgent = "198.51.100.2", 2
			r.Metrics = pingValues(0, 5)
		})
		add(m.row(1, 12, 2, protocol.TypePing, at(i)), func(r *probedata.Row) {
			r.ProbeAgentID, r.Target, r.TargetAgent = 1, "198.51.100.1", 1
			r.Metrics = pingValues(0, 6)
		})
	}
	for i := range 2 { // virtual probes: SYSINFO of agent 1, NETINFO of agent 2
		add(m.row(1, 0, 1, protocol.TypeSysinfo, at(i)), func(r *probedata.Row) {
			r.Target, r.Metrics = "", metrics.Values{MemoryUsage: ptr(40 + float64(i))}
		})
		add(m.row(1, 0, 2, protocol.TypeNetinfo, at(i+1)), func(r *probedata.Row) { r.Target = "" })
	}
	for i := range 2 { // DNS probe 13 of agent 2
		add(m.row(1, 13, 2, protocol.TypeDNS, at(4)), func(r *probedata.Row) { // same creation time: id decides
			r.Target = "example.com"
			r.Metrics = metrics.Values{DNSQueryTime: ptr(12), DNSFailure: ptr(float64(i))}
		})
	}
	for i := range 3 { // workspace 2 guesses the same probe and agent ids
		add(m.row(2, 10, 1, protocol.TypePing, at(i)), func(r *probedata.Row) { r.Metrics = pingValues(50, 90) })
	}
	add(m.row(2, 0, 1, protocol.TypeSysinfo, at(5)), func(r *probedata.Row) { r.Target = "" })
	return rows
}
