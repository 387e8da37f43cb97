package storetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// Run runs the conformance suite. open returns a new, empty store for each
// subtest and arranges its own cleanup; Run closes the store.
func Run(t *testing.T, open func(t *testing.T) probedata.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s probedata.Store)
	}{
		{"Find", testFind},
		{"LatestPerProbe", testLatestPerProbe},
		{"Dedupe", testDedupe},
		{"Aggregate", testAggregate},
		{"RoundTrip", testRoundTrip},
		{"DeleteBefore", testDeleteBefore},
		{"DeleteWorkspace", testDeleteWorkspace},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

func id(v int64) *int64 { return &v }
func flag(v bool) *bool { return &v }

// queries exercise every filter of Query alone and in combination.
func queries(base time.Time) map[string]probedata.Query {
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	return map[string]probedata.Query{
		"all":               {WorkspaceID: 1, Limit: 100},
		"all ascending":     {WorkspaceID: 1, Limit: 100, Asc: true},
		"limit":             {WorkspaceID: 1, Limit: 3},
		"limit ascending":   {WorkspaceID: 1, Limit: 3, Asc: true},
		"type":              {WorkspaceID: 1, Type: protocol.TypePing, Limit: 100},
		"probe":             {WorkspaceID: 1, ProbeID: id(10), Limit: 100},
		"virtual probe":     {WorkspaceID: 1, ProbeID: id(0), Limit: 100},
		"agent":             {WorkspaceID: 1, AgentID: 2, Limit: 100},
		"probe agent":       {WorkspaceID: 1, ProbeAgentID: 1, Limit: 100},
		"target agent":      {WorkspaceID: 1, TargetAgent: 2, Limit: 100},
		"target":            {WorkspaceID: 1, Target: "192.0.2.1", Limit: 100},
		"target prefix":     {WorkspaceID: 1, TargetPrefix: "192.0.2.1", Limit: 100},
		"prefix is literal": {WorkspaceID: 1, TargetPrefix: "192.0.2._", Limit: 100},
		"prefix is cased":   {WorkspaceID: 1, TargetPrefix: "EXAMPLE", Limit: 100},
		"triggered":         {WorkspaceID: 1, Triggered: flag(true), Limit: 100},
		"not triggered":     {WorkspaceID: 1, Triggered: flag(false), Limit: 100},
		"from to":           {WorkspaceID: 1, From: at(1), To: at(2), Limit: 100},
		"from":              {WorkspaceID: 1, From: at(4).Add(-time.Microsecond), Limit: 100},
		"netinfo of agent":  {WorkspaceID: 1, ProbeID: id(0), AgentID: 2, Type: protocol.TypeNetinfo, Limit: 1},
		"pair direction":    {WorkspaceID: 1, ProbeID: id(12), AgentID: 2, Type: protocol.TypePing, Limit: 2, Asc: true},
		"other workspace":   {WorkspaceID: 2, ProbeID: id(10), Limit: 100},
		"unknown workspace": {WorkspaceID: 3, Limit: 100},
		"no match":          {WorkspaceID: 1, ProbeID: id(11), Type: protocol.TypeDNS, Limit: 100},
		"combined":          {WorkspaceID: 1, Type: protocol.TypePing, AgentID: 1, TargetPrefix: "19", Triggered: flag(false), To: at(2), Limit: 4},
	}
}

func testFind(t *testing.T, s probedata.Store) {
	base := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	all := dataset(base)
	insert(t, s, len(all), all...)
	for name, q := range queries(base) {
		got, err := s.Find(t.Context(), q)
		if err != nil {
			t.Fatalf("%s: Find: %v", name, err)
		}
		if got == nil {
			t.Fatalf("%s: Find returned nil, want an empty list", name)
		}
		sameRows(t, name, got, expectFind(all, q))
	}
	if _, err := s.Find(t.Context(), probedata.Query{WorkspaceID: 1}); err == nil {
		t.Fatal("Find without a limit succeeded; want an error")
	}
}

func testLatestPerProbe(t *testing.T, s probedata.Store) {
	base := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	all := dataset(base)
	insert(t, s, len(all), all...)
	for name, q := range queries(base) {
		got, err := s.LatestPerProbe(t.Context(), q)
		if err != nil {
			t.Fatalf("%s: LatestPerProbe: %v", name, err)
		}
		if got == nil {
			t.Fatalf("%s: LatestPerProbe returned nil, want an empty list", name)
		}
		sameRows(t, name, got, expectLatest(all, q))
	}
}

func testDedupe(t *testing.T, s probedata.Store) {
	base := time.Now().UTC().Truncate(time.Minute)
	m := &rowMaker{}
	withUID := func(agent int64, uid string) probedata.Row {
		r := m.row(1, 10, agent, protocol.TypePing, base)
		r.UID = uid
		return r
	}
	first := withUID(1, "u1")
	resentInBatch := withUID(1, "u1")
	otherAgent := withUID(2, "u1")
	plain1, plain2 := withUID(1, ""), withUID(1, "")
	insert(t, s, 4, first, resentInBatch, otherAgent, plain1, plain2)
	resentLater := withUID(1, "u1")
	next := withUID(1, "u2")
	insert(t, s, 1, resentLater, next)
	insert(t, s, 0, withUID(2, "u1"))

	got, err := s.Find(t.Context(), probedata.Query{WorkspaceID: 1, Limit: 100, Asc: true})
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "stored once per (agent, uid)", got, []probedata.Row{first, otherAgent, plain1, plain2, next})
}

func testRoundTrip(t *testing.T, s probedata.Store) {
	m := &rowMaker{}
	r := m.row(1, 7, 3, protocol.TypeMTR, time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC))
	// Payload bytes as the agent sent them: key order, number spellings,
	// escapes and unicode must survive.
	r.Payload = json.RawMessage(`{"z":1,"a":[1.50,2e3,-0.0,12345678901234567890],"s":"\u00e9\"x\\","é":null}`)
	r.Target, r.TargetAgent, r.ProbeAgentID = "198.51.100.7", 9, 4
	r.Triggered, r.TriggeredReason = true, "route changed"
	r.UID, r.Path = "0193b6f2-uid", "198.51.100.1>*>198.51.100.7"
	// Zero is a value, distinct from "no value".
	r.Metrics = metrics.Values{EndHopLoss: ptr(0), EndHopLatency: ptr(12.345678901234), HopCount: ptr(3), RouteChange: ptr(1),
		MOS: ptr(4.39), Path: metrics.Signature{{"198.51.100.1"}}}
	bare := m.row(1, 7, 3, protocol.TypeNetinfo, r.CreatedAt.Add(time.Millisecond))
	insert(t, s, 2, r, bare)
	got, err := s.Find(t.Context(), probedata.Query{WorkspaceID: 1, Limit: 10, Asc: true})
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "round trip", got, []probedata.Row{r, bare})
}

func testDeleteBefore(t *testing.T, s probedata.Store) {
	// A cutoff at midnight: backends that drop whole days delete exactly
	// the rows before it.
	cutoff := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	m := &rowMaker{}
	at := func(received time.Time, probe int64) probedata.Row {
		return m.receivedAt(1, probe, 1, protocol.TypePing, received.Add(-time.Second), received)
	}
	old := at(cutoff.Add(-50*time.Hour), 1)
	justBefore := at(cutoff.Add(-time.Millisecond), 2)
	atCutoff := at(cutoff, 2)
	recent := at(cutoff.Add(25*time.Hour), 3)
	insert(t, s, 4, old, justBefore, atCutoff, recent)

	n, err := s.DeleteBefore(t.Context(), cutoff)
	if err != nil {
		t.Fatalf("DeleteBefore: %v", err)
	}
	if n != 2 {
		t.Errorf("DeleteBefore reported %d rows, want 2", n)
	}
	all := probedata.Query{WorkspaceID: 1, Limit: 100, Asc: true}
	got, err := s.Find(t.Context(), all)
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "after retention", got, []probedata.Row{atCutoff, recent})
	latest, err := s.LatestPerProbe(t.Context(), all)
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "latest after retention", latest, []probedata.Row{atCutoff, recent})
	if n, err := s.DeleteBefore(t.Context(), cutoff); err != nil || n != 0 {
		t.Fatalf("second DeleteBefore = %d, %v; want 0, nil", n, err)
	}
	// The store keeps accepting rows of every age.
	insert(t, s, 1, at(cutoff.Add(-time.Hour), 4))
}

func testDeleteWorkspace(t *testing.T, s probedata.Store) {
	base := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	all := dataset(base)
	insert(t, s, len(all), all...)
	if err := s.DeleteWorkspace(t.Context(), 1); err != nil {
		t.Fatalf("DeleteWorkspace: %v", err)
	}
	for ws := int64(1); ws <= 2; ws++ {
		q := probedata.Query{WorkspaceID: ws, Limit: 100}
		var want []probedata.Row
		if ws == 2 {
			want = expectFind(all, q)
		}
		got, err := s.Find(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, "rows after purge", got, want)
		latest, err := s.LatestPerProbe(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, "latest after purge", latest, expectLatest(want, q))
	}
	buckets, err := s.Aggregate(t.Context(), probedata.Query{WorkspaceID: 1, ProbeID: id(10)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != 0 {
		t.Fatalf("purged workspace still aggregates: %+v", buckets)
	}
}

func testAggregate(t *testing.T, s probedata.Store) {
	const bucket = 5 * time.Minute
	// Not aligned to the bucket, so alignment to the epoch shows.
	base := time.Now().UTC().Truncate(time.Hour).Add(-2*time.Hour + 17*time.Second)
	m := &rowMaker{}
	var rows []probedata.Row
	for i := range 40 {
		created := base.Add(time.Duration(i) * 37 * time.Second)
		ping := m.row(1, 20, 1+int64(i%2), protocol.TypePing, created) // two directions
		ping.Metrics = pingValues(float64(i%3)*5, 10+float64(i*i%17)+0.25)
		if i%5 == 0 {
			ping.Metrics.Latency = nil // unreachable: no RTT
		}
		mtr := m.row(1, 20, 1, protocol.TypeMTR, created)
		mtr.Metrics = metrics.Values{EndHopLatency: ptr(float64(i % 7)), HopCount: ptr(8)}
		other := m.row(2, 20, 1, protocol.TypePing, created) // another workspace
		other.Metrics = pingValues(100, 1000)
		rows = append(rows, ping, mtr, other)
	}
	insert(t, s, len(rows), rows...)
	for name, q := range map[string]probedata.Query{
		"probe":    {WorkspaceID: 1, ProbeID: id(20)},
		"type":     {WorkspaceID: 1, ProbeID: id(20), Type: protocol.TypePing},
		"agent":    {WorkspaceID: 1, ProbeID: id(20), AgentID: 2},
		"range":    {WorkspaceID: 1, ProbeID: id(20), From: base.Add(7 * time.Minute), To: base.Add(16 * time.Minute)},
		"no match": {WorkspaceID: 1, ProbeID: id(21)},
	} {
		got, err := s.Aggregate(t.Context(), q, bucket)
		if err != nil {
			t.Fatalf("%s: Aggregate: %v", name, err)
		}
		sameBuckets(t, name, got, expectBuckets(rows, q, bucket))
	}
}

// expectBuckets aggregates the matching rows the way the contract says.
func expectBuckets(rows []probedata.Row, q probedata.Query, bucket time.Duration) []probedata.Bucket {
	type key struct {
		start time.Time
		agent int64
		typ   string
	}
	values := map[key]map[string][]float64{}
	counts := map[key]int{}
	for _, r := range rows {
		if !matches(r, q) {
			continue
		}
		// Truncate counts from the zero time, a whole number of days
		// before the Unix epoch: for buckets dividing a day it aligns to
		// the epoch too.
		k := key{r.CreatedAt.Truncate(bucket), r.AgentID, r.Type}
		counts[k]++
		if values[k] == nil {
			values[k] = map[string][]float64{}
		}
		for name, v := range r.Metrics.Metrics() {
			values[k][name] = append(values[k][name], v)
		}
	}
	out := []probedata.Bucket{}
	for k, n := range counts {
		b := probedata.Bucket{Start: k.start, Count: n, Type: k.typ, AgentID: k.agent, Metrics: map[string]probedata.MetricStats{}}
		for name, v := range values[k] {
			b.Metrics[name] = stats(v)
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b probedata.Bucket) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.AgentID, b.AgentID), cmp.Compare(a.Type, b.Type))
	})
	return out
}

// stats is avg/min/max and the 95th percentile interpolated between
// closest ranks (percentile_cont).
func stats(v []float64) probedata.MetricStats {
	v = slices.Clone(v)
	slices.Sort(v)
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	rank := 0.95 * float64(len(v)-1)
	lo, hi := int(math.Floor(rank)), int(math.Ceil(rank))
	p95 := v[lo] + (rank-math.Floor(rank))*(v[hi]-v[lo])
	return probedata.MetricStats{Avg: sum / float64(len(v)), Min: v[0], Max: v[len(v)-1], P95: p95}
}

func sameBuckets(t *testing.T, what string, got, want []probedata.Bucket) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d buckets, want %d:\ngot  %+v\nwant %+v", what, len(got), len(want), got, want)
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for i, g := range got {
		w := want[i]
		if !g.Start.Equal(w.Start) || g.Count != w.Count || g.Type != w.Type || g.AgentID != w.AgentID || len(g.Metrics) != len(w.Metrics) {
			t.Fatalf("%s: bucket %d = %s n=%d %s agent %d %d metrics; want %s n=%d %s agent %d %d metrics",
				what, i, g.Start, g.Count, g.Type, g.AgentID, len(g.Metrics), w.Start, w.Count, w.Type, w.AgentID, len(w.Metrics))
		}
		for name, ws := range w.Metrics {
			gs, ok := g.Metrics[name]
			if !ok || !close(gs.Avg, ws.Avg) || !close(gs.Min, ws.Min) || !close(gs.Max, ws.Max) || !close(gs.P95, ws.P95) {
				t.Fatalf("%s: bucket %s %s agent %d: %s = %+v, want %+v", what, w.Start, w.Type, w.AgentID, name, gs, ws)
			}
		}
	}
}

// testConcurrent inserts from several goroutines at once, each result
// twice (a resend with a new id, as after a lost ack), while others read:
// every result is stored exactly once.
func testConcurrent(t *testing.T, s probedata.Store) {
	const writers, batches, perBatch = 4, 5, 40
	base := time.Now().UTC().Truncate(time.Minute)
	m := &rowMaker{}
	var work [][]probedata.Row
	for w := range writers {
		for b := range batches {
			var batch, resent []probedata.Row
			for i := range perBatch {
				created := base.Add(time.Duration(b*perBatch+i) * time.Second)
				for _, dst := range []*[]probedata.Row{&batch, &resent} {
					r := m.row(1, int64(100+w), int64(w+1), protocol.TypePing, created)
					r.UID = fmt.Sprintf("w%d-b%d-r%d", w, b, i)
					*dst = append(*dst, r)
				}
			}
			work = append(work, batch, resent)
		}
	}
	var (
		wg       sync.WaitGroup
		inserted atomic.Int64
		next     atomic.Int64
	)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(work)); i = next.Add(1) - 1 {
				n, err := s.Insert(t.Context(), work[i])
				if err != nil {
					t.Errorf("Insert: %v", err)
					return
				}
				inserted.Add(int64(n))
				if _, err := s.Find(t.Context(), probedata.Query{WorkspaceID: 1, Limit: 10}); err != nil {
					t.Errorf("Find: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	want := writers * batches * perBatch
	if inserted.Load() != int64(want) {
		t.Errorf("Insert reported %d new rows in all, want %d", inserted.Load(), want)
	}
	got, err := s.Find(t.Context(), probedata.Query{WorkspaceID: 1, Limit: 10 * want})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != want {
		t.Fatalf("%d rows stored, want %d", len(got), want)
	}
}
