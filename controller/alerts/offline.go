package alerts

import (
	"context"
	"math"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/apperr"
)

// checkOffline evaluates the offline rules: each agent in a rule's scope
// yields one value, the minutes since it was last seen (or, never seen,
// since it was created). Each check counts as one result for for_count and
// clear_count.
func (s *Service) checkOffline(ctx context.Context, set *ruleSet, now time.Time) {
	var changes []transition
	fleets := map[int64][]agents.Agent{} // per workspace, loaded once per check
	for _, spec := range set.offline {
		list, err := s.agentsInScope(ctx, spec, fleets)
		if err != nil {
			s.log.Warn("offline rule not checked", "rule_id", spec.ID, "err", err)
			continue
		}
		s.tracker.mu.Lock()
		for _, ag := range list {
			k := stateKey{ruleID: spec.ID, seriesKey: seriesKey{agentID: ag.ID}}
			if tr, ok := s.tracker.observe(spec, k, s.tracker.get(k, false), minutesSinceSeen(ag, now), spec.WorkspaceID, now); ok {
				changes = append(changes, tr)
			}
		}
		s.tracker.mu.Unlock()
	}
	s.apply(ctx, changes)
}

// agentsInScope lists the live agents an offline rule watches.
func (s *Service) agentsInScope(ctx context.Context, spec *ruleSpec, fleets map[int64][]agents.Agent) ([]agents.Agent, error) {
	if spec.agentID != 0 {
		ag, err := agents.Get(ctx, s.db, spec.WorkspaceID, spec.agentID)
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil
		}
		return []agents.Agent{ag}, err
	}
	if list, ok := fleets[spec.WorkspaceID]; ok {
		return list, nil
	}
	list, err := agents.ListAll(ctx, s.db, spec.WorkspaceID)
	if err != nil {
		return nil, err
	}
	fleets[spec.WorkspaceID] = list
	return list, nil
}

// minutesSinceSeen is the offline metric, to two decimals.
func minutesSinceSeen(ag agents.Agent, now time.Time) float64 {
	last := ag.CreatedAt
	if ag.LastSeenAt != nil {
		last = *ag.LastSeenAt
	}
	return math.Round(max(now.Sub(last).Minutes(), 0)*100) / 100
}
