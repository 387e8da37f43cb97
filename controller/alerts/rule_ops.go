package alerts

import (
	"context"
	"slices"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// ListRules returns the workspace's rules, oldest first.
func (s *Service) ListRules(ctx context.Context, workspaceID int64) ([]Rule, error) {
	return queryRules(ctx, s.db, `r.workspace_id = ?`, workspaceID)
}

// GetRule returns a rule of the workspace.
func (s *Service) GetRule(ctx context.Context, workspaceID, ruleID int64) (Rule, error) {
	return getRule(ctx, s.db, workspaceID, ruleID)
}

// CreateRule validates and stores a new rule; it applies to the next batch.
func (s *Service) CreateRule(ctx context.Context, workspaceID int64, in RuleInput) (Rule, error) {
	if err := in.requireCreateFields(); err != nil {
		return Rule{}, err
	}
	r := newRule(workspaceID)
	if err := in.apply(&r); err != nil {
		return Rule{}, err
	}
	if err := s.checkScope(ctx, r); err != nil {
		return Rule{}, err
	}
	r.CreatedAt, r.UpdatedAt = s.now(), s.now()
	id, err := insertRule(ctx, s.db, r)
	if err != nil {
		return Rule{}, err
	}
	r.ID = id
	s.rules.invalidate()
	return r, nil
}

// UpdateRule applies the given fields. When the rule stops applying to the
// series its alerts follow (disabled, another metric, probe or agent), its
// open alerts are resolved: nothing would ever clear them.
func (s *Service) UpdateRule(ctx context.Context, workspaceID, ruleID int64, in RuleInput) (Rule, error) {
	old, err := getRule(ctx, s.db, workspaceID, ruleID)
	if err != nil {
		return Rule{}, err
	}
	r := old
	if err := in.apply(&r); err != nil {
		return Rule{}, err
	}
	if err := s.checkScope(ctx, r); err != nil {
		return Rule{}, err
	}
	r.UpdatedAt = s.now()
	if err := updateRule(ctx, s.db, r); err != nil {
		return Rule{}, err
	}
	s.rules.invalidate()
	if !r.Enabled || r.Metric != old.Metric || !sameID(r.ProbeID, old.ProbeID) || !sameID(r.AgentID, old.AgentID) {
		if err := s.resolveRule(ctx, ruleID); err != nil {
			return Rule{}, err
		}
	}
	return r, nil
}

// DeleteRule deletes a rule and resolves its open alerts; its alerts stay
// listed.
func (s *Service) DeleteRule(ctx context.Context, workspaceID, ruleID int64) error {
	if err := deleteRule(ctx, s.db, workspaceID, ruleID); err != nil {
		return err
	}
	s.rules.invalidate()
	return s.resolveRule(ctx, ruleID)
}

// resolveRule resolves a rule's open alerts and forgets its state.
func (s *Service) resolveRule(ctx context.Context, ruleID int64) error {
	ids, err := openAlertsOfRule(ctx, s.db, ruleID)
	if err != nil {
		return err
	}
	s.resolveAll(ctx, ids, s.now())
	s.tracker.forgetRule(ruleID)
	return nil
}

func sameID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// checkScope checks the rule's probe and agent against the workspace: they
// must belong to it, the probe's results must carry the metric, and the
// agent must be one that reports the probe's results.
func (s *Service) checkScope(ctx context.Context, r Rule) error {
	if r.AgentID != nil {
		if _, err := agents.Get(ctx, s.db, r.WorkspaceID, *r.AgentID); err != nil {
			return notInWorkspace(err, "agent_id %d is not an agent of this workspace", *r.AgentID)
		}
	}
	if r.ProbeID == nil {
		return nil
	}
	if r.Metric == metrics.Offline {
		return apperr.Invalidf("metric offline is measured on agents, not probes: use agent_id, not probe_id")
	}
	p, err := probes.GetInWorkspace(ctx, s.db, r.WorkspaceID, *r.ProbeID)
	if err != nil {
		return notInWorkspace(err, "probe_id %d is not a probe of this workspace", *r.ProbeID)
	}
	if !metrics.Produces(p.Type, r.Metric) {
		return apperr.Invalidf("metric %s is not measured by %s probes (probe %d)", r.Metric, p.Type, p.ID)
	}
	if r.AgentID != nil && !reports(p, *r.AgentID) {
		return apperr.Invalidf("agent %d does not report results of probe %d: use its owner or a target agent", *r.AgentID, p.ID)
	}
	return nil
}

// reports says whether an agent reports results of a probe: its owner, or
// a target agent (the far end of an agent-to-agent probe reports too).
func reports(p probes.Probe, agentID int64) bool {
	return p.AgentID == agentID || slices.ContainsFunc(p.Targets, func(t protocol.ProbeTarget) bool {
		return t.AgentID != nil && *t.AgentID == agentID
	})
}

// notInWorkspace turns a NotFound from a scope lookup into a 400: the id is
// a field of the body, not of the path.
func notInWorkspace(err error, format string, id int64) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Invalidf(format, id)
	}
	return err
}
