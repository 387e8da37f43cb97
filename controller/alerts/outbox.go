package alerts

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/netwatcher/netwatcher/controller/alerts/webhook"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Webhook notifications go through an outbox table: the notification is
// written in the same transaction as the alert change that causes it, and
// the dispatcher delivers it from there. A restart or a crash therefore
// loses no notification, and any replica may carry on with the retries.

// Notification delivery statuses.
const (
	pending   = "pending"
	delivered = "delivered"
	failed    = "failed"
)

// enqueueWebhook stores a notification of event for alert a if the rule
// sends webhooks. The body and its signature are fixed now, so every
// attempt sends the alert as it was when the event happened. The schedule
// is in wall-clock time, the dispatcher's, not the evaluation clock's.
func enqueueWebhook(ctx context.Context, conn store.Conn, rule Rule, a Alert, event string) (bool, error) {
	if !rule.NotifyWebhook || rule.WebhookURL == nil {
		return false, nil
	}
	body, err := webhookBody(a, event)
	if err != nil {
		return false, fmt.Errorf("encode webhook body: %w", err)
	}
	signature := ""
	if rule.webhookSecret != "" {
		signature = webhook.Sign(rule.webhookSecret, body)
	}
	_, err = conn.Exec(ctx, `INSERT INTO alert_notifications (alert_id, event, url, body, signature, attempts, status,
		created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
		a.ID, event, *rule.WebhookURL, string(body), signature, pending, store.Millis(time.Now()), store.Millis(time.Now()))
	if err != nil {
		return false, fmt.Errorf("queue webhook: %w", err)
	}
	return true, nil
}

// job is a pending notification.
type job struct {
	id, alertID int64
	event, url  string
	body        []byte
	signature   string
	attempts    int
	createdAt   time.Time
}

// dueJobs lists pending notifications due by now and not leased to a
// dispatcher (here or on another replica).
func dueJobs(ctx context.Context, conn store.Conn, now time.Time, limit int) ([]job, error) {
	rows, err := conn.Query(ctx, `SELECT id, alert_id, event, url, body, signature, attempts, created_at FROM alert_notifications
		WHERE status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
		ORDER BY next_attempt_at, id LIMIT ?`, pending, store.Millis(now), store.Millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list due webhooks: %w", err)
	}
	defer rows.Close()
	var jobs []job
	for rows.Next() {
		var j job
		var body string
		var created int64
		if err := rows.Scan(&j.id, &j.alertID, &j.event, &j.url, &body, &j.signature, &j.attempts, &created); err != nil {
			return nil, fmt.Errorf("scan webhook: %w", err)
		}
		j.body, j.createdAt = []byte(body), store.FromMillis(created)
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// nextDue is when the earliest pending notification can be sent: when it
// is due, or when the lease of the dispatcher holding it runs out (false:
// nothing pending).
func nextDue(ctx context.Context, conn store.Conn) (time.Time, bool, error) {
	var ms sql.NullInt64
	if err := conn.QueryRow(ctx, `SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at
		THEN lease_until ELSE next_attempt_at END) FROM alert_notifications WHERE status = ?`, pending).Scan(&ms); err != nil {
		return time.Time{}, false, fmt.Errorf("next webhook: %w", err)
	}
	return store.FromMillis(ms.Int64), ms.Valid, nil
}

// claim leases a notification to this dispatcher until the lease ends, so
// no other replica sends it meanwhile; false when someone else has it.
func claim(ctx context.Context, conn store.Conn, id int64, now, until time.Time) (bool, error) {
	res, err := conn.Exec(ctx, `UPDATE alert_notifications SET lease_until = ?
		WHERE id = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)`,
		store.Millis(until), id, pending, store.Millis(now))
	if err != nil {
		return false, fmt.Errorf("claim webhook %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// recordAttempt stores one attempt and the notification's new status, in
// one transaction.
func recordAttempt(ctx context.Context, db *store.DB, j job, res webhook.Result, at time.Time, status string, next time.Time) error {
	var code sql.NullInt64
	if res.StatusCode != 0 {
		code = sql.NullInt64{Int64: int64(res.StatusCode), Valid: true}
	}
	var errText sql.NullString
	if res.Err != nil {
		errText = sql.NullString{String: res.Err.Error(), Valid: true}
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO alert_deliveries (notification_id, alert_id, attempt, event, at, status_code, error,
			duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, j.id, j.alertID, j.attempts+1, j.event, store.Millis(at), code, errText,
			float64(res.Duration.Microseconds())/1000); err != nil {
			return fmt.Errorf("record webhook attempt: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE alert_notifications SET attempts = ?, status = ?, next_attempt_at = ?, lease_until = NULL
			WHERE id = ?`, j.attempts+1, status, store.Millis(next), j.id); err != nil {
			return fmt.Errorf("update webhook %d: %w", j.id, err)
		}
		return nil
	})
}

// Delivery is one webhook attempt as GET …/alerts/{alertId}/deliveries
// lists it; status_code and error are null when absent.
type Delivery struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	Event      string    `json:"event"`
	StatusCode *int64    `json:"status_code"`
	Error      *string   `json:"error"`
	DurationMs float64   `json:"duration_ms"`
}

// listDeliveries returns every attempt for an alert, oldest first.
func listDeliveries(ctx context.Context, conn store.Conn, alertID int64) ([]Delivery, error) {
	rows, err := conn.Query(ctx, `SELECT attempt, at, event, status_code, error, duration_ms FROM alert_deliveries
		WHERE alert_id = ? ORDER BY at, id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	defer rows.Close()
	list := []Delivery{}
	for rows.Next() {
		var d Delivery
		var at int64
		var code sql.NullInt64
		var errText sql.NullString
		if err := rows.Scan(&d.Attempt, &at, &d.Event, &code, &errText, &d.DurationMs); err != nil {
			return nil, fmt.Errorf("scan webhook delivery: %w", err)
		}
		d.At, d.StatusCode, d.Error = store.FromMillis(at), nullID(code), nullString(errText)
		list = append(list, d)
	}
	return list, rows.Err()
}
