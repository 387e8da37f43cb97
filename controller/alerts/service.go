// Package alerts is alerting: rules over the metrics extracted at ingest
// (and agent liveness), their evaluation right after each committed batch,
// the alerts they open and resolve, and the notifications that follow, to
// members' panels and to webhooks.
package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netwatcher/netwatcher/controller/alerts/webhook"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Notifier pushes an alert to the panels of the workspace's members (the
// realtime hub). PublishAlert must not block.
type Notifier interface {
	PublishAlert(workspaceID int64, alert Alert)
}

// Config tunes a Service; zero values take the defaults.
type Config struct {
	// Notifier receives alerts for panels; nil sends none.
	Notifier Notifier
	// WebhookDeny: CIDRs webhooks may not reach (nil: webhook.DefaultDeny, empty: none).
	WebhookDeny []netip.Prefix
	// Backoff is the webhook retry schedule (default DefaultBackoff); each
	// zero field takes its default.
	Backoff Backoff
	// OfflineInterval is how often agents are checked for the offline
	// metric and the alert state is reconciled with the database (default 1 min).
	OfflineInterval time.Duration
	// RuleRefresh bounds how long a rule change made through another
	// replica takes to apply here (default 30 s).
	RuleRefresh time.Duration
	// QueueSize is how many committed batches may wait for evaluation (default 256).
	QueueSize int
	// Clock is the time source of evaluation (default time.Now).
	Clock func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Backoff.First <= 0 {
		c.Backoff.First = DefaultBackoff.First
	}
	if c.Backoff.Max <= 0 {
		c.Backoff.Max = DefaultBackoff.Max
	}
	if c.Backoff.Window <= 0 {
		c.Backoff.Window = DefaultBackoff.Window
	}
	if c.OfflineInterval <= 0 {
		c.OfflineInterval = time.Minute
	}
	if c.RuleRefresh <= 0 {
		c.RuleRefresh = 30 * time.Second
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c
}

// staleAfter is how long a series may stay silent before a partial streak
// of breaches is forgotten: longer than the longest probe interval.
const staleAfter = 25 * time.Hour

// Service is the alerting engine and the rule and alert operations of the API.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	cfg      Config
	rules    *ruleCache
	tracker  *tracker
	webhooks *dispatcher
	client   *webhook.Client

	mu        sync.RWMutex // OnCommit holds it for reading so Close can wait out senders
	closed    bool
	queue     chan []probedata.Row
	dropped   atomic.Int64
	closeOnce sync.Once
	done      chan struct{}
	abort     context.CancelFunc // cancels webhook attempts when Close runs out of time
	started   chan struct{}
}

// New returns the service; Run starts its work.
func New(db *store.DB, cfg Config, log *slog.Logger) *Service {
	cfg = cfg.withDefaults()
	client := webhook.New(cfg.WebhookDeny, webhookTimeout)
	return &Service{
		db: db, log: log, cfg: cfg, client: client,
		rules:    &ruleCache{db: db, log: log, refresh: cfg.RuleRefresh},
		tracker:  newTracker(),
		webhooks: newDispatcher(db, client, cfg.Backoff, log),
		queue:    make(chan []probedata.Row, cfg.QueueSize),
		done:     make(chan struct{}),
		started:  make(chan struct{}),
	}
}

// OnCommit queues a committed batch for evaluation. It runs on the ingest
// writer and never blocks it: when evaluation is QueueSize batches behind,
// the batch is skipped (and counted) rather than slowing ingestion.
func (s *Service) OnCommit(rows []probedata.Row) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || len(rows) == 0 {
		return
	}
	select {
	case s.queue <- rows:
	default:
		if n := s.dropped.Add(1); n == 1 || n%100 == 0 {
			s.log.Warn("alert evaluation is behind; skipped committed batches", "skipped_total", n)
		}
	}
}

// Run evaluates committed batches, checks agent liveness and delivers
// webhooks until Close has drained the queue, or until ctx ends.
func (s *Service) Run(ctx context.Context) {
	defer close(s.done)
	ctx, s.abort = context.WithCancel(ctx)
	close(s.started)
	stopWebhooks := make(chan struct{})
	webhooksDone := make(chan struct{})
	go func() {
		defer close(webhooksDone)
		s.webhooks.run(ctx, stopWebhooks)
	}()
	defer func() {
		close(stopWebhooks)
		<-webhooksDone
		s.client.CloseIdleConnections()
	}()

	s.periodic(ctx) // restores open alerts and cooldowns after a restart
	tick := time.NewTicker(s.cfg.OfflineInterval)
	defer tick.Stop()
	for {
		select {
		case rows, ok := <-s.queue:
			if !ok {
				return
			}
			s.evaluate(ctx, rows)
		case <-tick.C:
			s.periodic(ctx)
		case <-ctx.Done():
			return
		}
	}
}

// Close stops accepting batches, waits until the queued ones are evaluated
// and the webhook attempts in flight finish, or until ctx ends (then the
// attempts are cancelled; pending retries resume at the next start).
func (s *Service) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.queue)
		s.mu.Unlock()
	})
	select {
	case <-s.started:
	default:
		return nil // Run never started: nothing to wait for
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		s.abort()
		<-s.done
		return fmt.Errorf("drain alert evaluation: %w", ctx.Err())
	}
}

// periodic is the once-a-minute work: reconcile the alert state with the
// database, resolve alerts nothing can resolve any more, check agents for
// the offline metric and forget idle state.
func (s *Service) periodic(ctx context.Context) {
	set := s.rules.current(ctx)
	now := s.now()
	if err := s.resync(ctx, set, now); err != nil {
		s.log.Warn("alert state not reconciled", "err", err)
	}
	s.resolveOrphans(ctx, now)
	s.checkOffline(ctx, set, now)
	s.tracker.prune(set.cooldownOf, staleAfter, now)
}

// resync adopts open alerts this process does not know of (from before a
// restart, or opened by another replica) and the recent resolutions that
// still hold a cooldown.
func (s *Service) resync(ctx context.Context, set *ruleSet, now time.Time) error {
	open, err := openAlertKeys(ctx, s.db)
	if err != nil {
		return err
	}
	resolved, err := resolvedSince(ctx, s.db, now.Add(-set.maxCooldown))
	if err != nil {
		return err
	}
	s.tracker.reconcile(open, resolved, now)
	return nil
}

// resolveOrphans resolves open alerts whose rule was deleted or disabled,
// or whose agent or probe was deleted: no result can clear them any more.
func (s *Service) resolveOrphans(ctx context.Context, now time.Time) {
	ids, err := orphanedAlerts(ctx, s.db)
	if err != nil {
		s.log.Warn("orphaned alerts not checked", "err", err)
		return
	}
	s.resolveAll(ctx, ids, now)
}
