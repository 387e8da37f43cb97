package alerts

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// ruleSpec is an enabled rule ready for evaluation.
type ruleSpec struct {
	Rule
	op       operator
	cooldown time.Duration
	probeID  int64 // 0: any probe
	agentID  int64 // 0: any reporting agent
}

// metricRules are the rules on one metric, so that a result's value is
// read once for all of them. The fields every result checks are copied into
// a contiguous slice: the evaluation loop then reads memory in order
// instead of chasing one pointer per rule.
type metricRules struct {
	metric string
	rules  []ruleCheck
}

// ruleCheck is the part of a rule evaluation reads for every result.
type ruleCheck struct {
	threshold float64
	op        operator
	ruleID    int64
	probeID   int64 // 0: any probe
	agentID   int64 // 0: any reporting agent
	spec      *ruleSpec
}

// applies reports whether the rule follows results of this probe and agent.
func (c *ruleCheck) applies(probeID, agentID int64) bool {
	return (c.probeID == 0 || c.probeID == probeID) && (c.agentID == 0 || c.agentID == agentID)
}

// ruleSet is an immutable snapshot of the enabled rules, indexed so that a
// result meets only the rules whose metric its type carries.
type ruleSet struct {
	byResult    map[int64]map[string][]metricRules // workspace → result type → rules by metric
	offline     []*ruleSpec
	byID        map[int64]*ruleSpec
	maxCooldown time.Duration
}

func newRuleSet(rules []Rule) *ruleSet {
	set := &ruleSet{byResult: map[int64]map[string][]metricRules{}, byID: map[int64]*ruleSpec{}}
	for _, r := range rules {
		op, err := parseOperator(r.Operator)
		if err != nil {
			continue // stored rules were validated; a bad row is skipped, not fatal
		}
		spec := &ruleSpec{Rule: r, op: op, cooldown: time.Duration(r.CooldownMinutes) * time.Minute}
		if r.ProbeID != nil {
			spec.probeID = *r.ProbeID
		}
		if r.AgentID != nil {
			spec.agentID = *r.AgentID
		}
		set.byID[r.ID] = spec
		set.maxCooldown = max(set.maxCooldown, spec.cooldown)
		if r.Metric == metrics.Offline {
			set.offline = append(set.offline, spec)
			continue
		}
		byType := set.byResult[r.WorkspaceID]
		if byType == nil {
			byType = map[string][]metricRules{}
			set.byResult[r.WorkspaceID] = byType
		}
		for _, t := range catalogue[r.Metric].ResultTypes {
			byType[t] = addRule(byType[t], spec)
		}
	}
	return set
}

func addRule(groups []metricRules, spec *ruleSpec) []metricRules {
	check := ruleCheck{threshold: spec.Threshold, op: spec.op, ruleID: spec.ID, probeID: spec.probeID, agentID: spec.agentID, spec: spec}
	for i := range groups {
		if groups[i].metric == spec.Metric {
			groups[i].rules = append(groups[i].rules, check)
			return groups
		}
	}
	return append(groups, metricRules{metric: spec.Metric, rules: []ruleCheck{check}})
}

// cooldownOf is a rule's cooldown (0 for rules no longer enabled).
func (set *ruleSet) cooldownOf(ruleID int64) time.Duration {
	if spec := set.byID[ruleID]; spec != nil {
		return spec.cooldown
	}
	return 0
}

// ruleCache keeps the current rule set. Local rule changes invalidate it at
// once; changes made through another replica arrive within refresh.
type ruleCache struct {
	db      *store.DB
	log     *slog.Logger
	refresh time.Duration

	mu       sync.Mutex
	set      *ruleSet
	loadedAt time.Time
	dirty    bool
}

func (c *ruleCache) invalidate() {
	c.mu.Lock()
	c.dirty = true
	c.mu.Unlock()
}

// current returns the rule set, reloading it when stale. When the database
// cannot be read the previous set stays in use.
func (c *ruleCache) current(ctx context.Context) *ruleSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && !c.dirty && time.Since(c.loadedAt) < c.refresh {
		return c.set
	}
	rules, err := enabledRules(ctx, c.db)
	if err != nil {
		c.log.Warn("alert rules not reloaded; evaluating with the previous set", "err", err)
		if c.set == nil {
			return newRuleSet(nil)
		}
		return c.set
	}
	c.set, c.loadedAt, c.dirty = newRuleSet(rules), time.Now(), false
	return c.set
}
