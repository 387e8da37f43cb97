package probedata

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Pipeline is the ingest path: a bounded queue in front of one batch
// writer. Submit blocks while the queue is full, so a slow store pushes
// back on the agents' sockets instead of growing memory; a result is
// acknowledged only after the batch holding it commits.
type Pipeline struct {
	store    Store
	ids      *IDGen
	log      *slog.Logger
	cfg      PipelineConfig
	queue    chan pending
	onCommit []func([]Row)
	series   *seriesState
	recent   *recentUIDs

	closeOnce sync.Once
	closing   chan struct{} // closed when no more submissions are accepted
	done      chan struct{} // closed when the writer has drained the queue
	mu        sync.RWMutex  // Submit holds it for reading so Close can wait out senders
}

// PipelineConfig tunes the pipeline; zero values take defaults.
type PipelineConfig struct {
	QueueSize int // results waiting for the writer (default 20,000)
	// BatchSize caps rows per insert (default 5,000). Batches are only
	// that large when a backlog builds, and then larger commits are what
	// lets SQLite catch up: its cost is pages dirtied per commit.
	BatchSize  int
	Linger     time.Duration // longest wait to fill a batch (default 20 ms)
	MaxRetries int           // insert attempts before failing a batch (default 5)
}

func (c PipelineConfig) withDefaults() PipelineConfig {
	if c.QueueSize <= 0 {
		c.QueueSize = 20000
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 5000
	}
	if c.Linger <= 0 {
		c.Linger = 20 * time.Millisecond
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 5
	}
	return c
}

// Ack reports the outcome of one submitted result: nil once it is stored.
type Ack func(error)

type pending struct {
	row Row
	ack Ack
}

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("ingest pipeline is shutting down")

// NewPipeline returns a pipeline writing to store. Call Run to start it.
func NewPipeline(store Store, ids *IDGen, cfg PipelineConfig, log *slog.Logger) *Pipeline {
	cfg = cfg.withDefaults()
	return &Pipeline{
		store: store, ids: ids, log: log, cfg: cfg,
		queue:   make(chan pending, cfg.QueueSize),
		series:  newSeriesState(store),
		recent:  newRecentUIDs(100_000),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// OnCommit registers fn to receive every committed batch (new rows only).
// fn runs on the writer goroutine and must not block: hand work off.
// Each batch is a fresh slice, never reused: fn may keep it, read-only.
// Register before Run.
func (p *Pipeline) OnCommit(fn func([]Row)) { p.onCommit = append(p.onCommit, fn) }

// Submit queues row, assigning its id and receive time. It waits while the
// queue is full, until ctx ends. ack is called exactly once (from the
// writer) unless Submit returns an error.
func (p *Pipeline) Submit(ctx context.Context, row Row, ack Ack) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	select {
	case <-p.closing:
		return ErrClosed
	default:
	}
	row.ID = p.ids.Next()
	row.ReceivedAt = TimeOfID(row.ID)
	select {
	case p.queue <- pending{row: row, ack: ack}:
		return nil
	case <-p.closing:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("ingest queue full: %w", ctx.Err())
	}
}

// Len is the number of results waiting for the writer.
func (p *Pipeline) Len() int { return len(p.queue) }

// Run writes batches until Close, then drains what was queued and returns.
func (p *Pipeline) Run(ctx context.Context) {
	defer close(p.done)
	batch := make([]pending, 0, p.cfg.BatchSize)
	for {
		var first pending
		select {
		case first = <-p.queue:
		case <-p.closing:
			p.drain(ctx, batch)
			return
		}
		batch = append(batch[:0], first)
		batch = p.fill(batch)
		p.write(ctx, batch)
	}
}

// fill adds queued results to batch until it is full or Linger has passed.
func (p *Pipeline) fill(batch []pending) []pending {
	timer := time.NewTimer(p.cfg.Linger)
	defer timer.Stop()
	for len(batch) < p.cfg.BatchSize {
		select {
		case next := <-p.queue:
			batch = append(batch, next)
		case <-timer.C:
			return batch
		}
	}
	return batch
}

func (p *Pipeline) drain(ctx context.Context, batch []pending) {
	for {
		batch = batch[:0]
	collect:
		for len(batch) < p.cfg.BatchSize {
			select {
			case next := <-p.queue:
				batch = append(batch, next)
			default:
				break collect
			}
		}
		if len(batch) == 0 {
			return
		}
		p.write(ctx, batch)
	}
}

// Close stops accepting results and waits until every queued one is
// written (or ctx ends).
func (p *Pipeline) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		close(p.closing)
		p.mu.Lock() // wait for Submits in flight to finish enqueueing
		p.mu.Unlock()
	})
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("drain ingest queue: %w (%d results not written)", ctx.Err(), len(p.queue))
	}
}

// write stores one batch and acknowledges each result.
func (p *Pipeline) write(ctx context.Context, batch []pending) {
	rows := make([]Row, 0, len(batch))
	inBatch := map[string]bool{}
	for _, it := range batch {
		if it.row.UID != "" {
			k := uidKey(it.row.AgentID, it.row.UID)
			if inBatch[k] || p.recent.seen(it.row.AgentID, it.row.UID) {
				continue // resent after a lost ack: stored once, acknowledged again
			}
			inBatch[k] = true
		}
		rows = append(rows, it.row)
	}
	if err := p.series.compare(ctx, rows); err != nil {
		p.log.Warn("previous results unavailable; route_change/cpu_usage may be missing", "err", err)
	}
	err := p.insert(ctx, rows)
	for _, it := range batch {
		it.ack(err)
	}
	if err != nil {
		return
	}
	for _, r := range rows {
		if r.UID != "" {
			p.recent.add(r.AgentID, r.UID)
		}
	}
	p.series.remember(rows)
	for _, fn := range p.onCommit {
		fn(rows)
	}
}

// insert retries with backoff, so a store that is briefly down delays
// acknowledgements instead of failing them.
func (p *Pipeline) insert(ctx context.Context, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	backoff := 100 * time.Millisecond
	var err error
	for attempt := 1; attempt <= p.cfg.MaxRetries; attempt++ {
		if _, err = p.store.Insert(context.WithoutCancel(ctx), rows); err == nil {
			return nil
		}
		p.log.Warn("probe data insert failed", "rows", len(rows), "attempt", attempt, "err", err)
		if attempt < p.cfg.MaxRetries {
			time.Sleep(backoff)
			backoff *= 2
		}
	}
	return fmt.Errorf("store probe data: %w", err)
}
