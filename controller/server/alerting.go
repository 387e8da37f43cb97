package server

import (
	"context"
	"log/slog"

	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/realtime"
	"github.com/netwatcher/netwatcher/controller/store"
)

// newAlerting builds the alerting engine: evaluation after each committed
// batch (register OnCommit with the pipeline), agent-offline checks,
// webhooks, and panel messages through the realtime broker.
func newAlerting(cfg config.Config, log *slog.Logger, db *store.DB, panel realtime.Publisher) *alerts.Service {
	t := cfg.AlertTimings
	var notifier alerts.Notifier
	if panel != nil {
		notifier = panelAlerts{panel}
	}
	return alerts.New(db, alerts.Config{
		Notifier:        notifier,
		WebhookDeny:     cfg.WebhookDeny,
		Backoff:         alerts.Backoff{First: t.RetryFirst, Max: t.RetryMax, Window: t.RetryWindow},
		OfflineInterval: t.OfflineInterval,
	}, log)
}

// panelAlerts sends alerts to members' panels as
// {"type":"alert","workspace_id":W,"alert":{Alert}}.
type panelAlerts struct{ p realtime.Publisher }

func (n panelAlerts) PublishAlert(workspaceID int64, a alerts.Alert) {
	realtime.PublishAlert(n.p, workspaceID, a)
}

// alerting runs the alert service for the server's lifetime.
type alerting struct {
	svc  *alerts.Service
	stop context.CancelFunc
	done chan struct{}
}

func startAlerting(svc *alerts.Service) *alerting {
	ctx, stop := context.WithCancel(context.Background())
	a := &alerting{svc: svc, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		svc.Run(ctx)
	}()
	return a
}

// close evaluates what the pipeline committed last and lets webhook
// attempts in flight finish (bounded by ctx), then stops. Close the ingest
// pipeline first, so its final batches reach the queue.
func (a *alerting) close(ctx context.Context) error {
	err := a.svc.Close(ctx)
	a.stop()
	<-a.done
	return err
}
