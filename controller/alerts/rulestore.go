package alerts

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
)

const ruleColumns = `r.id, r.workspace_id, r.name, r.metric, r.operator, r.threshold, r.severity, r.probe_id, r.agent_id,
	r.for_count, r.clear_count, r.cooldown_minutes, r.notify_panel, r.notify_webhook, r.webhook_url, r.webhook_secret,
	r.enabled, r.created_at, r.updated_at`

func scanRule(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var probeID, agentID sql.NullInt64
	var webhookURL, secret sql.NullString
	var created, updated int64
	if err := row.Scan(&r.ID, &r.WorkspaceID, &r.Name, &r.Metric, &r.Operator, &r.Threshold, &r.Severity, &probeID, &agentID,
		&r.ForCount, &r.ClearCount, &r.CooldownMinutes, &r.NotifyPanel, &r.NotifyWebhook, &webhookURL, &secret,
		&r.Enabled, &created, &updated); err != nil {
		return Rule{}, err
	}
	r.ProbeID, r.AgentID = nullID(probeID), nullID(agentID)
	if webhookURL.Valid {
		r.WebhookURL = &webhookURL.String
	}
	r.webhookSecret = secret.String
	r.HasWebhookSecret = r.webhookSecret != ""
	r.CreatedAt, r.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return r, nil
}

func nullID(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// ruleArgs are the stored values of a rule's editable columns, in the order
// of insertRule and updateRule.
func ruleArgs(r Rule) []any {
	var secret sql.NullString
	if r.webhookSecret != "" {
		secret = sql.NullString{String: r.webhookSecret, Valid: true}
	}
	return []any{r.Name, r.Metric, r.Operator, r.Threshold, r.Severity, r.ProbeID, r.AgentID,
		r.ForCount, r.ClearCount, r.CooldownMinutes, r.NotifyPanel, r.NotifyWebhook, r.WebhookURL, secret, r.Enabled}
}

func insertRule(ctx context.Context, conn store.Conn, r Rule) (int64, error) {
	var id int64
	args := append([]any{r.WorkspaceID}, ruleArgs(r)...)
	args = append(args, store.Millis(r.CreatedAt), store.Millis(r.UpdatedAt))
	err := conn.QueryRow(ctx, `INSERT INTO alert_rules (workspace_id, name, metric, operator, threshold, severity, probe_id, agent_id,
		for_count, clear_count, cooldown_minutes, notify_panel, notify_webhook, webhook_url, webhook_secret, enabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert alert rule: %w", err)
	}
	return id, nil
}

func updateRule(ctx context.Context, conn store.Conn, r Rule) error {
	args := append(ruleArgs(r), store.Millis(r.UpdatedAt), r.ID, r.WorkspaceID)
	_, err := conn.Exec(ctx, `UPDATE alert_rules SET name = ?, metric = ?, operator = ?, threshold = ?, severity = ?, probe_id = ?,
		agent_id = ?, for_count = ?, clear_count = ?, cooldown_minutes = ?, notify_panel = ?, notify_webhook = ?, webhook_url = ?,
		webhook_secret = ?, enabled = ?, updated_at = ? WHERE id = ? AND workspace_id = ? AND deleted_at IS NULL`, args...)
	if err != nil {
		return fmt.Errorf("update alert rule %d: %w", r.ID, err)
	}
	return nil
}

// getRule returns a live rule of the workspace.
func getRule(ctx context.Context, conn store.Conn, workspaceID, ruleID int64) (Rule, error) {
	r, err := scanRule(conn.QueryRow(ctx, `SELECT `+ruleColumns+` FROM alert_rules r
		WHERE r.id = ? AND r.workspace_id = ? AND r.deleted_at IS NULL`, ruleID, workspaceID))
	if store.IsNoRows(err) {
		return Rule{}, apperr.NotFoundf("alert rule %d not found in workspace %d", ruleID, workspaceID)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("load alert rule %d: %w", ruleID, err)
	}
	return r, nil
}

// ruleByID returns a rule whether or not it was deleted: alerts outlive
// their rules and still need its notification settings to resolve.
func ruleByID(ctx context.Context, conn store.Conn, ruleID int64) (Rule, error) {
	r, err := scanRule(conn.QueryRow(ctx, `SELECT `+ruleColumns+` FROM alert_rules r WHERE r.id = ?`, ruleID))
	if err != nil {
		return Rule{}, fmt.Errorf("load alert rule %d: %w", ruleID, err)
	}
	return r, nil
}

func queryRules(ctx context.Context, conn store.Conn, where string, args ...any) ([]Rule, error) {
	rows, err := conn.Query(ctx, `SELECT `+ruleColumns+` FROM alert_rules r WHERE r.deleted_at IS NULL AND (`+where+`) ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list alert rules: %w", err)
	}
	defer rows.Close()
	list := []Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("scan alert rule: %w", err)
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// enabledRules returns every enabled rule of every live workspace: the
// evaluator's working set.
func enabledRules(ctx context.Context, conn store.Conn) ([]Rule, error) {
	return queryRules(ctx, conn, `r.enabled = ? AND r.workspace_id IN (SELECT id FROM workspaces WHERE deleted_at IS NULL)`, true)
}

func deleteRule(ctx context.Context, conn store.Conn, workspaceID, ruleID int64) error {
	now := store.Millis(store.Now())
	res, err := conn.Exec(ctx, `UPDATE alert_rules SET deleted_at = ?, updated_at = ? WHERE id = ? AND workspace_id = ? AND deleted_at IS NULL`,
		now, now, ruleID, workspaceID)
	if err != nil {
		return fmt.Errorf("delete alert rule %d: %w", ruleID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("alert rule %d not found in workspace %d", ruleID, workspaceID)
	}
	return nil
}
