// Package probes holds probe configuration: what each agent measures,
// validated per type, with agent-to-agent pairs, copies between agents and
// lookups of probes that share targets.
package probes

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol"
)

// Probe is the probe JSON of the API and of probe_get.
type Probe = protocol.Probe

const probeColumns = `p.id, p.workspace_id, p.agent_id, p.type, p.enabled, p.interval_sec, p.timeout_sec, p.count,
	p.duration_sec, p.server, p.labels, p.metadata, p.created_at, p.updated_at`

func scanProbe(row interface{ Scan(...any) error }) (Probe, error) {
	var p Probe
	var labels, metadata string
	var created, updated int64
	if err := row.Scan(&p.ID, &p.WorkspaceID, &p.AgentID, &p.Type, &p.Enabled, &p.IntervalSec, &p.TimeoutSec, &p.Count,
		&p.DurationSec, &p.Server, &labels, &metadata, &created, &updated); err != nil {
		return Probe{}, err
	}
	p.Labels, p.Metadata = protocol.JSONObject(labels), protocol.JSONObject(metadata)
	p.CreatedAt, p.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return p, nil
}

// query loads the live probes matching where (a condition on alias p) with
// their targets, ordered by id.
func query(ctx context.Context, conn store.Conn, where string, args ...any) ([]Probe, error) {
	rows, err := conn.Query(ctx, `SELECT `+probeColumns+` FROM probes p WHERE p.deleted_at IS NULL AND (`+where+`) ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list probes: %w", err)
	}
	list := []Probe{}
	index := map[int64]int{}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			p, err := scanProbe(rows)
			if err != nil {
				return fmt.Errorf("scan probe: %w", err)
			}
			index[p.ID] = len(list)
			list = append(list, p)
		}
		return rows.Err()
	}()
	if err != nil || len(list) == 0 {
		return list, err
	}
	return list, attachTargets(ctx, conn, list, index)
}

// attachTargets loads the targets of the listed probes in one query.
func attachTargets(ctx context.Context, conn store.Conn, list []Probe, index map[int64]int) error {
	ids := make([]any, 0, len(list))
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	rows, err := conn.Query(ctx, `SELECT id, probe_id, target, agent_id, group_id, created_at, updated_at
		FROM probe_targets WHERE probe_id IN (`+placeholders(len(ids))+`) ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("load probe targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t protocol.ProbeTarget
		var agentID, groupID sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&t.ID, &t.ProbeID, &t.Target, &agentID, &groupID, &created, &updated); err != nil {
			return fmt.Errorf("scan probe target: %w", err)
		}
		t.AgentID, t.GroupID = nullInt(agentID), nullInt(groupID)
		t.CreatedAt, t.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
		p := &list[index[t.ProbeID]]
		p.Targets = append(p.Targets, t)
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func nullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// Get returns a live probe of the agent in the workspace.
func Get(ctx context.Context, conn store.Conn, workspaceID, agentID, probeID int64) (Probe, error) {
	list, err := query(ctx, conn, `p.id = ? AND p.agent_id = ? AND p.workspace_id = ?`, probeID, agentID, workspaceID)
	if err != nil {
		return Probe{}, err
	}
	if len(list) == 0 {
		return Probe{}, apperr.NotFoundf("probe %d not found on agent %d", probeID, agentID)
	}
	return list[0], nil
}

// GetInWorkspace returns a live probe of the workspace, whichever agent owns it.
func GetInWorkspace(ctx context.Context, conn store.Conn, workspaceID, probeID int64) (Probe, error) {
	list, err := query(ctx, conn, `p.id = ? AND p.workspace_id = ?`, probeID, workspaceID)
	if err != nil {
		return Probe{}, err
	}
	if len(list) == 0 {
		return Probe{}, apperr.NotFoundf("probe %d not found in workspace %d", probeID, workspaceID)
	}
	return list[0], nil
}

// ListByAgent returns the live probes an agent owns.
func ListByAgent(ctx context.Context, conn store.Conn, workspaceID, agentID int64) ([]Probe, error) {
	return query(ctx, conn, `p.agent_id = ? AND p.workspace_id = ?`, agentID, workspaceID)
}

// ListByWorkspace returns every live probe of the workspace.
func ListByWorkspace(ctx context.Context, conn store.Conn, workspaceID int64) ([]Probe, error) {
	return query(ctx, conn, `p.workspace_id = ?`, workspaceID)
}

// ListTargetingAgent returns the live probes of other agents that target agentID.
func ListTargetingAgent(ctx context.Context, conn store.Conn, workspaceID, agentID int64) ([]Probe, error) {
	return query(ctx, conn, `p.workspace_id = ? AND p.id IN (SELECT probe_id FROM probe_targets WHERE agent_id = ?)`, workspaceID, agentID)
}

// agentTargets lists the agent ids a probe targets.
func agentTargets(p Probe) []int64 {
	var ids []int64
	for _, t := range p.Targets {
		if t.AgentID != nil {
			ids = append(ids, *t.AgentID)
		}
	}
	return ids
}

// literalTargets lists a probe's literal targets.
func literalTargets(p Probe) []string {
	var out []string
	for _, t := range p.Targets {
		if t.AgentID == nil && t.Target != "" {
			out = append(out, t.Target)
		}
	}
	return out
}
