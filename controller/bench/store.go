package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// StoreOptions describe a `bench store` scenario.
type StoreOptions struct {
	Rows   int           // rows to insert
	Batch  int           // rows per insert
	Probes int           // interleaved probes (and agents) the rows belong to
	Span   time.Duration // CreatedAt spread evenly over this span before now (0: all now)
	Out    io.Writer
}

// Store inserts PING rows like the ones `bench ingest` posts straight into
// a store, in batches: the store's own ceiling, the denominator when
// judging the whole pipeline.
func Store(ctx context.Context, s probedata.Store, o StoreOptions) error {
	if o.Rows < 1 || o.Batch < 1 || o.Probes < 1 {
		return fmt.Errorf("need --rows, --batch and --probes ≥ 1")
	}
	fmt.Fprintf(o.Out, "scenario: %d PING rows in batches of %d from %d interleaved probes, created over the last %s\n",
		o.Rows, o.Batch, o.Probes, o.Span)
	start := time.Now().UTC().Add(-o.Span)
	step := o.Span / time.Duration(o.Rows)
	ids, err := probedata.NewIDGen(probedata.MaxNode)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bar := progressbar.NewOptions(o.Rows, progressbar.OptionSetWriter(o.Out), progressbar.OptionSetDescription("inserting"), progressbar.OptionShowCount())
	batch := make([]probedata.Row, 0, o.Batch)
	var busy time.Duration
	for done := 0; done < o.Rows; {
		batch = batch[:0]
		for len(batch) < o.Batch && done+len(batch) < o.Rows {
			n := done + len(batch)
			probe := int64(1 + n%o.Probes)
			target := fmt.Sprintf("192.0.2.%d", 1+probe%250)
			now := time.Now().UTC()
			if o.Span > 0 {
				now = start.Add(time.Duration(n) * step)
			}
			payload := pingPayload(rng, target, now)
			values, err := metrics.Extract(protocol.TypePing, payload)
			if err != nil {
				return err
			}
			id := ids.Next()
			batch = append(batch, probedata.Row{ID: id, WorkspaceID: 1, ProbeID: probe, ProbeAgentID: probe, AgentID: probe,
				Type: protocol.TypePing, Target: target, CreatedAt: now, ReceivedAt: probedata.TimeOfID(id),
				UID: fmt.Sprintf("bench-%d", id), Payload: payload, Metrics: values})
		}
		start := time.Now()
		if _, err := s.Insert(ctx, batch); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		busy += time.Since(start)
		done += len(batch)
		_ = bar.Set(done)
	}
	_ = bar.Finish()
	fmt.Fprintf(o.Out, "\ninserted %d rows in %s of insert time: %.0f rows/s\n", o.Rows, busy.Round(time.Millisecond), float64(o.Rows)/busy.Seconds())
	return nil
}
