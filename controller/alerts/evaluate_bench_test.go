package alerts_test

import (
	"fmt"
	"testing"

	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// BenchmarkEvaluate measures evaluation cost per committed result with 100
// workspace-wide rules that all apply to PING results (the worst case: no
// rule is skipped by the result-type index), batches of 2,000 results over
// 500 series, 5 % of them breaching (their alerts open during warm-up, so
// the loop measures the steady state, as in production between incidents).
func BenchmarkEvaluate(b *testing.B) {
	f := newFixture(b, testenv.SQLite, alerts.Config{})
	ag := f.agent("bench")
	metricsCycle := []string{"packet_loss", "latency", "jitter", "mos"}
	for i := range 100 {
		m := metricsCycle[i%len(metricsCycle)]
		op, threshold := ">", 1000.0+float64(i) // clear for ordinary values
		if m == "mos" {
			op, threshold = "<", 1.0
		}
		f.rule(fmt.Sprintf(`{"name":"r%d","metric":%q,"operator":%q,"threshold":%v}`, i, m, op, threshold))
	}
	const series = 500
	batch := make([]probedata.Row, 0, 2000)
	var probeList []probes.Probe
	for i := range series / 10 {
		targets := make([]string, 10)
		for j := range targets {
			targets[j] = fmt.Sprintf("198.51.%d.%d", i, j+1)
		}
		probeList = append(probeList, f.probe(ag.ID, probes.Spec{Type: "PING", Targets: targets}))
	}
	for i := range cap(batch) {
		s := i % series
		p := probeList[s/10]
		latency := 20.0
		if s%20 == 0 {
			latency = 5000 // breaching series: 5 %
		}
		v := metrics.Values{PacketLoss: ptr(0.0), Latency: ptr(latency), Jitter: ptr(2.0), MOS: ptr(4.3)}
		batch = append(batch, f.result(p, ag.ID, "PING", p.Targets[s%10].Target, v))
	}
	f.svc.Evaluate(f.ctx, batch) // warm-up: opens the breaching series' alerts
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.svc.Evaluate(f.ctx, batch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/result")
}
