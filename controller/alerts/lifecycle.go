package alerts

import (
	"context"
	"time"

	"github.com/netwatcher/netwatcher/controller/store"
)

// open stores the alert a fire transition opens, with its webhook
// notification, and announces it. When the key already has an open alert
// (opened by another replica, or before a restart and not yet reconciled)
// that alert is adopted instead: its notifications went out already.
func (s *Service) open(ctx context.Context, tr transition) {
	a, err := s.describe(ctx, tr)
	queued := false
	if err == nil {
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			id, err := insertAlert(ctx, tx, a)
			if err != nil {
				return err
			}
			a.ID = id
			queued, err = enqueueWebhook(ctx, tx, tr.spec.Rule, a, EventTriggered)
			return err
		})
	}
	if store.IsUniqueViolation(err) {
		var id int64
		if id, err = openAlertID(ctx, s.db, tr.key); err == nil && id != 0 {
			s.tracker.stored(tr.ref, id)
			return
		}
	}
	if err != nil {
		s.log.Error("alert not opened; the next breach retries", "rule_id", tr.spec.ID, "err", err)
		s.tracker.abandon(tr.key, tr.ref)
		return
	}
	s.tracker.stored(tr.ref, a.ID)
	s.announce(tr.spec.Rule, a, queued)
}

// resolveAlert resolves an open alert, queues its "resolved" webhook in the
// same transaction and announces it; false when it was resolved already.
func (s *Service) resolveAlert(ctx context.Context, alertID int64, at time.Time) (Alert, bool, error) {
	var a Alert
	var rule Rule
	var changed, queued bool
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if changed, err = markResolved(ctx, tx, alertID, at); err != nil || !changed {
			return err
		}
		if a, err = getAlert(ctx, tx, alertID); err != nil {
			return err
		}
		if rule, err = ruleByID(ctx, tx, a.RuleID); err != nil {
			return err
		}
		queued, err = enqueueWebhook(ctx, tx, rule, a, EventResolved)
		return err
	})
	if err != nil || !changed {
		return Alert{}, false, err
	}
	s.announce(rule, a, queued)
	return a, true, nil
}

// resolveAll resolves alerts outside evaluation (rule changes, orphans) and
// forgets their state so their keys may fire again after the cooldown.
func (s *Service) resolveAll(ctx context.Context, ids []int64, at time.Time) {
	for _, id := range ids {
		a, ok, err := s.resolveAlert(ctx, id, at)
		if err != nil {
			s.log.Error("resolve alert", "alert_id", id, "err", err)
			continue
		}
		if ok {
			s.tracker.closed(a.key, a.ID, at)
		}
	}
}

// announce publishes an alert change to panels (when the rule asks for it)
// and wakes the webhook dispatcher when a notification was queued with it.
func (s *Service) announce(rule Rule, a Alert, webhookQueued bool) {
	if rule.NotifyPanel && s.cfg.Notifier != nil {
		s.cfg.Notifier.PublishAlert(a.WorkspaceID, a)
	}
	if webhookQueued {
		s.webhooks.wake()
	}
}

// now is the evaluation clock at stored precision.
func (s *Service) now() time.Time { return s.cfg.Clock().UTC().Truncate(time.Millisecond) }
