package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
)

// benchRows is one committed batch of PING results of one workspace.
func benchRows(n int) []probedata.Row {
	payload := json.RawMessage(`{"start_timestamp":"2026-11-30T12:00:00.123456789Z","stop_timestamp":"2026-11-30T12:00:10.123456789Z",` +
		`"packets_sent":10,"packets_recv":10,"packets_recv_duplicates":0,"packet_loss":0,"addr":"203.0.113.7",` +
		`"min_rtt":11234567,"max_rtt":15345678,"avg_rtt":12456789,"std_dev_rtt":1234567}`)
	rows := make([]probedata.Row, n)
	now := time.Now()
	for i := range rows {
		rows[i] = probedata.Row{ID: int64(i), WorkspaceID: 1, ProbeID: int64(i%50 + 1), ProbeAgentID: 7, AgentID: 7, Type: "PING",
			Target: "203.0.113.7", CreatedAt: now, ReceivedAt: now, Payload: payload}
	}
	return rows
}

// drain takes a subscriber's messages until the benchmark ends.
func drain(ctx context.Context, s *Subscriber) {
	for {
		select {
		case <-s.Ready():
			s.Take()
		case <-ctx.Done():
			return
		}
	}
}

// BenchmarkCommitHook is what the ingest writer pays per committed row:
// turning the batch into events and queueing it. Encoding and fan-out run
// on the dispatcher (BenchmarkDispatch); here the inbox is only drained.
func BenchmarkCommitHook(b *testing.B) {
	rows := benchRows(500)
	l := NewLocal(0, quiet)
	go func() {
		for range l.inbox {
		}
	}()
	defer close(l.inbox)
	b.ReportAllocs()
	for b.Loop() {
		l.Publish(ProbeData(rows)...)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}

// BenchmarkDispatch is the dispatcher's cost per event: one encoding and an
// append to each subscriber's backlog.
func BenchmarkDispatch(b *testing.B) {
	for _, subs := range []int{0, 1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			l := NewLocal(0, quiet)
			for range subs {
				s := l.Subscribe(ctx, 1<<30)
				s.Add(1, 0)
				go drain(ctx, s)
			}
			events := ProbeData(benchRows(1))
			var scratch []*Subscriber
			b.ReportAllocs()
			for b.Loop() {
				scratch = l.dispatch(events[0], scratch[:0])
			}
		})
	}
}
