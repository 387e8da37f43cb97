package alerts

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/alerts/webhook"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Backoff is the webhook retry schedule: retry n waits First·2^(n-1), at
// most Max, and no retry starts later than Window after the event.
type Backoff struct {
	First, Max, Window time.Duration
}

// DefaultBackoff retries for up to an hour: after 10 s, 20 s, 40 s, …, 15 min.
var DefaultBackoff = Backoff{First: 10 * time.Second, Max: 15 * time.Minute, Window: time.Hour}

func (b Backoff) delay(retry int) time.Duration {
	d := b.First
	for i := 1; i < retry && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

const (
	webhookTimeout   = 10 * time.Second // per attempt
	webhookLease     = time.Minute      // longer than an attempt: a crashed sender's job returns after it
	webhookSlots     = 4                // attempts in flight, so one slow receiver does not hold up the rest
	webhookPollEvery = 30 * time.Second // finds jobs due from before a restart or queued by another replica
	minWait          = 10 * time.Millisecond
)

// dispatcher delivers queued webhook notifications (at least once).
type dispatcher struct {
	db      *store.DB
	client  *webhook.Client
	backoff Backoff
	log     *slog.Logger

	poke  chan struct{}
	slots chan struct{}
	wg    sync.WaitGroup
}

func newDispatcher(db *store.DB, client *webhook.Client, backoff Backoff, log *slog.Logger) *dispatcher {
	return &dispatcher{db: db, client: client, backoff: backoff, log: log,
		poke: make(chan struct{}, 1), slots: make(chan struct{}, webhookSlots)}
}

// wake makes the dispatcher look for due work now.
func (d *dispatcher) wake() {
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// run delivers due notifications until stop closes, then waits for the
// attempts in flight; cancelling ctx cuts them short. What is still pending
// stays in the outbox for the next start.
func (d *dispatcher) run(ctx context.Context, stop <-chan struct{}) {
	defer d.wg.Wait()
	for {
		timer := time.NewTimer(d.pass(ctx))
		select {
		case <-stop:
		case <-ctx.Done():
		case <-d.poke:
		case <-timer.C:
		}
		timer.Stop()
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
	}
}

// pass starts the due notifications there are free slots for and returns
// how long to sleep before the next one is due.
func (d *dispatcher) pass(ctx context.Context) time.Duration {
	free := cap(d.slots) - len(d.slots)
	if free == 0 {
		return webhookPollEvery // a finishing attempt wakes the loop
	}
	now := time.Now()
	jobs, err := dueJobs(ctx, d.db, now, free)
	if err != nil {
		d.log.Warn("webhook outbox unavailable", "err", err)
		return webhookPollEvery
	}
	for _, j := range jobs {
		ok, err := claim(ctx, d.db, j.id, now, now.Add(webhookLease))
		if err != nil {
			d.log.Warn("claim webhook", "notification_id", j.id, "err", err)
			continue
		}
		if !ok {
			continue
		}
		d.slots <- struct{}{}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer func() { <-d.slots; d.wake() }()
			d.deliver(ctx, j)
		}()
	}
	next, ok, err := nextDue(ctx, d.db)
	if err != nil || !ok {
		return webhookPollEvery
	}
	return min(max(time.Until(next), minWait), webhookPollEvery)
}

// deliver makes one attempt and records it with the notification's next
// step: delivered, failed for good, or pending until the next retry.
func (d *dispatcher) deliver(ctx context.Context, j job) {
	res := d.client.Post(ctx, j.url, j.body, j.signature)
	at := time.Now()
	status, next := pending, at.Add(d.backoff.delay(j.attempts+1))
	switch {
	case res.Err == nil:
		status = delivered
	case !res.Retry, next.After(j.createdAt.Add(d.backoff.Window)):
		status = failed
	}
	// The attempt happened: record it even when shutdown cancelled ctx.
	if err := recordAttempt(context.WithoutCancel(ctx), d.db, j, res, at, status, next); err != nil {
		d.log.Error("record webhook attempt; it will be retried", "notification_id", j.id, "err", err)
		return
	}
	if status == failed {
		d.log.Warn("webhook not delivered", "alert_id", j.alertID, "event", j.event, "attempts", j.attempts+1, "err", res.Err)
	}
}
