package alerts

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

const alertColumns = `a.id, a.workspace_id, a.rule_id, a.agent_id, a.probe_id, a.result_type, a.target, a.probe_name, a.probe_target,
	a.agent_name, a.metric, a.value, a.threshold, a.severity, a.status, a.message, a.triggered_at, a.acknowledged_at,
	a.acknowledged_by, a.resolved_at`

func scanAlert(row interface{ Scan(...any) error }, extra ...any) (Alert, error) {
	var a Alert
	var probeName, probeTarget sql.NullString
	var triggered int64
	var acked, resolved, ackedBy sql.NullInt64
	dest := append([]any{&a.ID, &a.WorkspaceID, &a.RuleID, &a.AgentID, &a.key.probeID, &a.key.resultType, &a.key.target,
		&probeName, &probeTarget, &a.AgentName, &a.Metric, &a.Value, &a.Threshold, &a.Severity, &a.Status, &a.Message,
		&triggered, &acked, &ackedBy, &resolved}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Alert{}, err
	}
	a.key.ruleID, a.key.agentID = a.RuleID, a.AgentID
	if a.key.probeID != 0 {
		a.ProbeID = &a.key.probeID
	}
	if a.key.resultType != "" {
		a.ProbeType = &a.key.resultType
	}
	a.ProbeName, a.ProbeTarget = nullString(probeName), nullString(probeTarget)
	a.TriggeredAt = store.FromMillis(triggered)
	a.AcknowledgedAt, a.ResolvedAt = store.FromNullMillis(acked), store.FromNullMillis(resolved)
	a.AcknowledgedBy = nullID(ackedBy)
	return a, nil
}

func nullString(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

// insertAlert stores a new open alert. At most one alert per state key is
// open (a partial unique index): a second one, from another replica or from
// before a restart, fails with a unique violation.
func insertAlert(ctx context.Context, conn store.Conn, a Alert) (int64, error) {
	var id int64
	err := conn.QueryRow(ctx, `INSERT INTO alerts (workspace_id, rule_id, agent_id, probe_id, result_type, target, probe_name,
		probe_target, agent_name, metric, value, threshold, severity, status, message, triggered_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.WorkspaceID, a.RuleID, a.AgentID, a.key.probeID, a.key.resultType, a.key.target, a.ProbeName, a.ProbeTarget,
		a.AgentName, a.Metric, a.Value, a.Threshold, a.Severity, a.Status, a.Message,
		store.Millis(a.TriggeredAt), store.Millis(a.TriggeredAt)).Scan(&id)
	return id, err
}

// openAlertID returns the id of the open alert of a state key (0: none).
func openAlertID(ctx context.Context, conn store.Conn, k stateKey) (int64, error) {
	var id int64
	err := conn.QueryRow(ctx, `SELECT id FROM alerts WHERE rule_id = ? AND agent_id = ? AND probe_id = ? AND result_type = ?
		AND target = ? AND resolved_at IS NULL`, k.ruleID, k.agentID, k.probeID, k.resultType, k.target).Scan(&id)
	if store.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

// markResolved resolves an open alert; false when it already was.
func markResolved(ctx context.Context, conn store.Conn, alertID int64, at time.Time) (bool, error) {
	res, err := conn.Exec(ctx, `UPDATE alerts SET status = ?, resolved_at = ?, updated_at = ? WHERE id = ? AND resolved_at IS NULL`,
		Resolved, store.Millis(at), store.Millis(at), alertID)
	if err != nil {
		return false, fmt.Errorf("resolve alert %d: %w", alertID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// markAcknowledged acknowledges an active alert; false when it is not active.
func markAcknowledged(ctx context.Context, conn store.Conn, alertID, userID int64, at time.Time) (bool, error) {
	res, err := conn.Exec(ctx, `UPDATE alerts SET status = ?, acknowledged_at = ?, acknowledged_by = ?, updated_at = ?
		WHERE id = ? AND status = ?`, Acknowledged, store.Millis(at), userID, store.Millis(at), alertID, Active)
	if err != nil {
		return false, fmt.Errorf("acknowledge alert %d: %w", alertID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func getAlert(ctx context.Context, conn store.Conn, alertID int64) (Alert, error) {
	a, err := scanAlert(conn.QueryRow(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE a.id = ?`, alertID))
	if err != nil {
		return Alert{}, fmt.Errorf("load alert %d: %w", alertID, err)
	}
	return a, nil
}

// memberWorkspaces selects the live workspaces a user is an accepted member of.
const memberWorkspaces = `SELECT m.workspace_id FROM members m JOIN workspaces w ON w.id = m.workspace_id
	WHERE m.user_id = ? AND m.accepted_at IS NOT NULL AND w.deleted_at IS NULL`

// alertForUser returns an alert with the user's role in its workspace.
// Alerts of workspaces the user is not a member of are NotFound.
func alertForUser(ctx context.Context, conn store.Conn, alertID, userID int64) (Alert, workspace.Role, error) {
	var role workspace.Role
	a, err := scanAlert(conn.QueryRow(ctx, `SELECT `+alertColumns+`, m.role FROM alerts a
		JOIN members m ON m.workspace_id = a.workspace_id JOIN workspaces w ON w.id = a.workspace_id
		WHERE a.id = ? AND m.user_id = ? AND m.accepted_at IS NOT NULL AND w.deleted_at IS NULL`, alertID, userID), &role)
	if store.IsNoRows(err) {
		return Alert{}, "", apperr.NotFoundf("alert %d not found", alertID)
	}
	if err != nil {
		return Alert{}, "", fmt.Errorf("load alert %d: %w", alertID, err)
	}
	return a, role, nil
}

// alertInWorkspace returns an alert of the workspace (NotFound otherwise).
func alertInWorkspace(ctx context.Context, conn store.Conn, workspaceID, alertID int64) (Alert, error) {
	a, err := scanAlert(conn.QueryRow(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE a.id = ? AND a.workspace_id = ?`,
		alertID, workspaceID))
	if store.IsNoRows(err) {
		return Alert{}, apperr.NotFoundf("alert %d not found in workspace %d", alertID, workspaceID)
	}
	if err != nil {
		return Alert{}, fmt.Errorf("load alert %d: %w", alertID, err)
	}
	return a, nil
}

// listAlerts returns alerts of the user's workspaces, newest first.
func listAlerts(ctx context.Context, conn store.Conn, userID int64, status string, page store.Page) ([]Alert, error) {
	where, args := `a.workspace_id IN (`+memberWorkspaces+`)`, []any{userID}
	if status != "" {
		where += ` AND a.status = ?`
		args = append(args, status)
	}
	rows, err := conn.Query(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE `+where+`
		ORDER BY a.triggered_at DESC, a.id DESC LIMIT ? OFFSET ?`, append(args, page.Limit, page.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	list := []Alert{}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("scan alert: %w", err)
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// countActive counts the active alerts of the user's workspaces.
func countActive(ctx context.Context, conn store.Conn, userID int64) (int, error) {
	var n int
	err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM alerts a WHERE a.status = ? AND a.workspace_id IN (`+memberWorkspaces+`)`,
		Active, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count alerts: %w", err)
	}
	return n, nil
}

// alertIDs runs a query selecting alert ids.
func alertIDs(ctx context.Context, conn store.Conn, query string, args ...any) ([]int64, error) {
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("select alerts: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan alert id: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// openAlertsOfRule lists the open alerts of a rule.
func openAlertsOfRule(ctx context.Context, conn store.Conn, ruleID int64) ([]int64, error) {
	return alertIDs(ctx, conn, `SELECT id FROM alerts WHERE rule_id = ? AND resolved_at IS NULL ORDER BY id`, ruleID)
}

// orphanedAlerts lists open alerts that no evaluation can resolve any more:
// their rule was deleted or disabled, or their agent or probe deleted.
func orphanedAlerts(ctx context.Context, conn store.Conn) ([]int64, error) {
	return alertIDs(ctx, conn, `SELECT a.id FROM alerts a
		JOIN alert_rules r ON r.id = a.rule_id
		JOIN agents ag ON ag.id = a.agent_id
		LEFT JOIN probes p ON p.id = a.probe_id
		WHERE a.resolved_at IS NULL AND (r.deleted_at IS NOT NULL OR r.enabled = ? OR ag.deleted_at IS NOT NULL
			OR p.deleted_at IS NOT NULL)
		ORDER BY a.id`, false)
}

// keyTimes reads (state key, time) pairs: the open alerts with their ids,
// or the latest resolution per key.
func keyTimes(ctx context.Context, conn store.Conn, query string, args ...any) (map[stateKey]int64, error) {
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("load alert state: %w", err)
	}
	defer rows.Close()
	out := map[stateKey]int64{}
	for rows.Next() {
		var k stateKey
		var v int64
		if err := rows.Scan(&k.ruleID, &k.agentID, &k.probeID, &k.resultType, &k.target, &v); err != nil {
			return nil, fmt.Errorf("scan alert state: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// openAlertKeys maps the state key of every open alert to its id.
func openAlertKeys(ctx context.Context, conn store.Conn) (map[stateKey]int64, error) {
	return keyTimes(ctx, conn, `SELECT rule_id, agent_id, probe_id, result_type, target, id FROM alerts WHERE resolved_at IS NULL`)
}

// resolvedSince maps each state key resolved since the cutoff to its latest
// resolution time (Unix ms), so cooldowns survive a restart.
func resolvedSince(ctx context.Context, conn store.Conn, since time.Time) (map[stateKey]int64, error) {
	return keyTimes(ctx, conn, `SELECT rule_id, agent_id, probe_id, result_type, target, MAX(resolved_at) FROM alerts
		WHERE resolved_at >= ? GROUP BY rule_id, agent_id, probe_id, result_type, target`, store.Millis(since))
}
