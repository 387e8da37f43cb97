package alerts

import (
	"context"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
)

// transition is a state change that must be written and announced.
type transition struct {
	act         action
	spec        *ruleSpec
	key         stateKey
	ref         *openAlert
	value       float64
	workspaceID int64
	at          time.Time
}

// observe feeds one value into the state st of key k (nil when there is
// none) and returns the transition it causes, if any. A clear value for a
// key without state changes nothing, so quiet series cost no memory.
// t.mu must be held.
func (t *tracker) observe(spec *ruleSpec, k stateKey, st *state, value float64, workspaceID int64, now time.Time) (transition, bool) {
	breach := spec.op.breached(value, spec.Threshold)
	if st == nil {
		if !breach {
			return transition{}, false
		}
		st = t.get(k, true)
	}
	ref := st.open
	act := st.step(spec, breach, now)
	if act == fire {
		ref = st.open
	}
	if st.idle(spec.cooldown, now) {
		t.drop(k)
	}
	if act == none {
		return transition{}, false
	}
	return transition{act: act, spec: spec, key: k, ref: ref, value: value, workspaceID: workspaceID, at: now}, true
}

// evaluate runs a committed batch through the enabled rules. The pass over
// the rows is in memory; only transitions touch the database.
func (s *Service) evaluate(ctx context.Context, rows []probedata.Row) {
	set := s.rules.current(ctx)
	now := s.now()
	var changes []transition
	s.tracker.mu.Lock()
	for i := range rows {
		r := &rows[i]
		groups := set.byResult[r.WorkspaceID][r.Type]
		if len(groups) == 0 {
			continue
		}
		sk := seriesKey{agentID: r.AgentID, probeID: r.ProbeID, resultType: r.Type, target: r.Target}
		states := s.tracker.series[sk] // one lookup per result; per rule only an integer key
		for _, g := range groups {
			value, ok := r.Metrics.Get(g.metric)
			if !ok {
				continue // the result lacks the value: neither a breach nor a clear
			}
			for j := range g.rules {
				c := &g.rules[j]
				if !c.applies(r.ProbeID, r.AgentID) {
					continue
				}
				var st *state
				if states != nil {
					st = states[c.ruleID]
				}
				if st == nil && !c.op.breached(value, c.threshold) {
					continue // the common case: a clear value, nothing to remember
				}
				if tr, ok := s.tracker.observe(c.spec, stateKey{ruleID: c.ruleID, seriesKey: sk}, st, value, r.WorkspaceID, now); ok {
					changes = append(changes, tr)
				}
				states = s.tracker.series[sk] // observe may have created or dropped it
			}
		}
	}
	s.tracker.mu.Unlock()
	s.apply(ctx, changes)
}

// apply writes and announces transitions in order, so a fire and a resolve
// of one key within a batch happen in that order.
func (s *Service) apply(ctx context.Context, changes []transition) {
	for _, tr := range changes {
		switch tr.act {
		case fire:
			s.open(ctx, tr)
		case resolve:
			if tr.ref.id == 0 {
				continue // its fire was never stored
			}
			if _, _, err := s.resolveAlert(ctx, tr.ref.id, tr.at); err != nil {
				s.log.Error("resolve alert", "alert_id", tr.ref.id, "err", err)
			}
		}
	}
}
