package probes

import (
	"context"

	"github.com/netwatcher/netwatcher/controller/store"
)

// Similar returns the workspace's probes that share a literal target or a
// target agent with ref, deduplicated; sameType restricts them to ref's
// type and includeSelf keeps ref itself.
func Similar(ctx context.Context, conn store.Conn, workspaceID int64, ref Probe, sameType, includeSelf bool) ([]Probe, error) {
	literals, agents := literalTargets(ref), agentTargets(ref)
	if len(literals)+len(agents) == 0 {
		if includeSelf {
			return []Probe{ref}, nil
		}
		return []Probe{}, nil
	}
	where := `p.workspace_id = ? AND p.id IN (SELECT t.probe_id FROM probe_targets t WHERE `
	args := []any{workspaceID}
	switch {
	case len(literals) > 0 && len(agents) > 0:
		where += `t.target IN (` + placeholders(len(literals)) + `) OR t.agent_id IN (` + placeholders(len(agents)) + `))`
	case len(literals) > 0:
		where += `t.target IN (` + placeholders(len(literals)) + `))`
	default:
		where += `t.agent_id IN (` + placeholders(len(agents)) + `))`
	}
	for _, l := range literals {
		args = append(args, l)
	}
	for _, a := range agents {
		args = append(args, a)
	}
	if sameType {
		where += ` AND p.type = ?`
		args = append(args, ref.Type)
	}
	if !includeSelf {
		where += ` AND p.id <> ?`
		args = append(args, ref.ID)
	}
	return query(ctx, conn, where, args...)
}
