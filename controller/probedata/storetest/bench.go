package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// PrefillVar names the variable holding how many rows BenchInsert stores
// before it starts timing (default 100,000; the scenario is
// 1,000,000). Insert speed falls as indexes outgrow the caches.
const PrefillVar = "NETWATCHER_BENCH_PREFILL"

const (
	benchBatch  = 1000
	benchProbes = 1000
)

// BenchInsert measures Insert with batches of 1,000 PING rows from 1,000
// interleaved probes (one per agent), each with a time-ordered uid like
// our agent's, after a prefill.
func BenchInsert(b *testing.B, open func(testing.TB) probedata.Store) {
	s := open(b)
	defer s.Close()
	prefill := 100_000
	if v := os.Getenv(PrefillVar); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			b.Fatalf("%s=%q: want a row count", PrefillVar, v)
		}
		prefill = n
	}
	g := newPingGen(b)
	for done := 0; done < prefill; done += benchBatch {
		if _, err := s.Insert(b.Context(), g.batch(benchBatch)); err != nil {
			b.Fatal(err)
		}
	}
	batches := make([][]probedata.Row, b.N)
	for i := range batches {
		batches[i] = g.batch(benchBatch)
	}
	b.ResetTimer()
	start := time.Now()
	for _, batch := range batches {
		if _, err := s.Insert(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "rows/s")
}

// BenchAggregate measures Aggregate with 300 s buckets over 30 days of
// one-minute PING results of one probe (43,200 rows), stored interleaved
// with three other probes' results.
func BenchAggregate(b *testing.B, open func(testing.TB) probedata.Store) {
	s := open(b)
	defer s.Close()
	const days, probes = 30, 4
	g := newPingGen(b)
	end := time.Now().UTC().Truncate(5 * time.Minute) // bucket-aligned: exactly 8,640 buckets
	start := end.Add(-days * 24 * time.Hour)
	var batch []probedata.Row
	for at := start; at.Before(end); at = at.Add(time.Minute) {
		for p := int64(1); p <= probes; p++ {
			batch = append(batch, g.row(p, at, at.Add(time.Second)))
		}
		if len(batch) >= 5000 {
			if _, err := s.Insert(b.Context(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := s.Insert(b.Context(), batch); err != nil {
		b.Fatal(err)
	}
	probe := int64(1)
	q := probedata.Query{WorkspaceID: 1, ProbeID: &probe, From: start, To: end}
	b.ResetTimer()
	for range b.N {
		buckets, err := s.Aggregate(b.Context(), q, 300*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if len(buckets) != days*24*12 {
			b.Fatalf("%d buckets, want %d", len(buckets), days*24*12)
		}
	}
}

// pingGen makes PING rows shaped like a deployed agent's results.
type pingGen struct {
	tb  testing.TB
	rng *rand.Rand
	ids *probedata.IDGen
	n   int
	seq int64
}

func newPingGen(tb testing.TB) *pingGen {
	ids, err := probedata.NewIDGen(1)
	if err != nil {
		tb.Fatal(err)
	}
	return &pingGen{tb: tb, rng: rand.New(rand.NewPCG(1, 2)), ids: ids}
}

// batch is n rows of now, one per probe, round robin over benchProbes.
func (g *pingGen) batch(n int) []probedata.Row {
	rows := make([]probedata.Row, n)
	now := time.Now()
	for i := range rows {
		g.n++
		rows[i] = g.row(int64(1+g.n%benchProbes), now, time.Time{})
	}
	return rows
}

// row is a result of probe (owned and reported by agent number probe)
// created at created and received at received (now when zero, with a
// generated id; else with an id of that millisecond).
func (g *pingGen) row(probe int64, created, received time.Time) probedata.Row {
	var id int64
	if received.IsZero() {
		id = g.ids.Next()
	} else {
		g.seq++
		id = probedata.FirstIDAt(received) + g.seq%(1<<22)
	}
	target := fmt.Sprintf("192.0.2.%d", 1+probe%250)
	base := 8 + g.rng.Float64()*40 // ms
	ns := func(ms float64) int64 { return int64(ms * 1e6) }
	payload, err := json.Marshal(map[string]any{
		"start_timestamp": created.Add(-10 * time.Second).Format(time.RFC3339Nano), "stop_timestamp": created.Format(time.RFC3339Nano),
		"packets_sent": 10, "packets_recv": 10, "packets_recv_duplicates": 0, "packet_loss": 0, "addr": target,
		"min_rtt": ns(base * 0.9), "max_rtt": ns(base * 1.4), "avg_rtt": ns(base), "std_dev_rtt": ns(base * 0.1),
	})
	if err != nil {
		g.tb.Fatal(err)
	}
	values, err := metrics.Extract(protocol.TypePing, payload)
	if err != nil {
		g.tb.Fatal(err)
	}
	return probedata.Row{ID: id, WorkspaceID: 1, ProbeID: probe, ProbeAgentID: probe, AgentID: probe,
		Type: protocol.TypePing, Target: target, CreatedAt: created.UTC(), ReceivedAt: probedata.TimeOfID(id),
		UID: "bench-" + strconv.FormatInt(id, 10), Payload: payload, Metrics: values}
}
