package alerts

import (
	"sync"
	"time"
)

// seriesKey identifies a series of results: one reporting agent's results
// of one type, for one probe and target. An agent-offline series has only
// the agent.
type seriesKey struct {
	agentID    int64
	probeID    int64
	resultType string
	target     string
}

// stateKey is CONTRACT §7's evaluation state key: (rule, reporting agent,
// probe, result type, target).
type stateKey struct {
	ruleID int64
	seriesKey
}

// openAlert is the alert a state has open. id is 0 until it is stored.
type openAlert struct{ id int64 }

// state follows one rule over one series.
type state struct {
	breaches   int        // consecutive breaching results
	clears     int        // consecutive clear results while an alert is open
	open       *openAlert // nil: no open alert
	resolvedAt time.Time  // last resolution, for the cooldown
	seen       time.Time  // last result, for pruning
}

type action int

const (
	none action = iota
	fire
	resolve
)

// step feeds one result (breaching or not) into the state. An alert fires
// after for_count consecutive breaches unless one is open or the key is
// cooling down; it resolves after clear_count consecutive clears. An
// acknowledged alert is still open, so it neither re-fires nor hides a
// later resolution.
func (st *state) step(r *ruleSpec, breach bool, now time.Time) action {
	st.seen = now
	if breach {
		st.clears = 0
		st.breaches++
		if st.open == nil && st.breaches >= r.ForCount && !now.Before(st.resolvedAt.Add(r.cooldown)) {
			st.open = &openAlert{}
			return fire
		}
		return none
	}
	st.breaches = 0
	if st.open == nil {
		return none
	}
	st.clears++
	if st.clears < r.ClearCount {
		return none
	}
	st.clears, st.open, st.resolvedAt = 0, nil, now
	return resolve
}

// idle reports whether the state carries nothing worth remembering: no
// open alert, no streak and no cooldown left.
func (st *state) idle(cooldown time.Duration, now time.Time) bool {
	return st.open == nil && st.breaches == 0 && !now.Before(st.resolvedAt.Add(cooldown))
}

// tracker holds every state, grouped by series so that one map lookup per
// result finds the states of all rules that follow it.
type tracker struct {
	mu     sync.Mutex
	series map[seriesKey]map[int64]*state // rule id → state
}

func newTracker() *tracker { return &tracker{series: map[seriesKey]map[int64]*state{}} }

// get returns the state of k, creating it when create is set.
func (t *tracker) get(k stateKey, create bool) *state {
	rules := t.series[k.seriesKey]
	if st := rules[k.ruleID]; st != nil || !create {
		return st
	}
	if rules == nil {
		rules = map[int64]*state{}
		t.series[k.seriesKey] = rules
	}
	st := &state{}
	rules[k.ruleID] = st
	return st
}

func (t *tracker) drop(k stateKey) {
	rules := t.series[k.seriesKey]
	delete(rules, k.ruleID)
	if len(rules) == 0 {
		delete(t.series, k.seriesKey)
	}
}

// closed records that an alert was resolved outside the evaluator (by a
// user, or because its rule changed), so its key may fire again after the
// cooldown.
func (t *tracker) closed(k stateKey, alertID int64, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.get(k, false); st != nil && st.open != nil && st.open.id == alertID {
		st.open, st.breaches, st.clears, st.resolvedAt = nil, 0, 0, at
	}
}

// abandon forgets an alert whose insert failed, so the next breach retries.
func (t *tracker) abandon(k stateKey, ref *openAlert) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.get(k, false); st != nil && st.open == ref {
		st.open = nil
	}
}

// stored records the id of a fired alert.
func (t *tracker) stored(ref *openAlert, id int64) {
	t.mu.Lock()
	ref.id = id
	t.mu.Unlock()
}

// forgetRule drops every state of a rule (deleted, disabled or re-scoped).
func (t *tracker) forgetRule(ruleID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for sk := range t.series {
		t.drop(stateKey{ruleID: ruleID, seriesKey: sk})
	}
}

// prune drops idle states and those of series silent for longer than
// staleAfter that have no open alert, so memory follows live series only.
func (t *tracker) prune(cooldownOf func(ruleID int64) time.Duration, staleAfter time.Duration, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for sk, rules := range t.series {
		for ruleID, st := range rules {
			if st.idle(cooldownOf(ruleID), now) || (st.open == nil && now.Sub(st.seen) > staleAfter) {
				t.drop(stateKey{ruleID: ruleID, seriesKey: sk})
			}
		}
	}
}

// reconcile merges the stored view into memory: open alerts this process
// does not know of (opened before a restart or by another replica) are
// adopted, alerts it thinks open that were resolved elsewhere are closed,
// and recent resolutions restore cooldowns. Keys resolved in memory after
// asOf (when the stored view was read) keep the newer, in-memory state.
func (t *tracker) reconcile(open, resolvedMs map[stateKey]int64, asOf time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for sk, rules := range t.series {
		for ruleID, st := range rules {
			k := stateKey{ruleID: ruleID, seriesKey: sk}
			if st.open != nil && st.open.id != 0 && open[k] != st.open.id {
				st.open, st.breaches, st.clears = nil, 0, 0
				st.resolvedAt = asOf
				if ms, ok := resolvedMs[k]; ok {
					st.resolvedAt = time.UnixMilli(ms)
				}
			}
		}
	}
	for k, ms := range resolvedMs {
		if st := t.get(k, true); st.open == nil && st.resolvedAt.Before(time.UnixMilli(ms)) {
			st.resolvedAt = time.UnixMilli(ms)
		}
	}
	for k, id := range open {
		st := t.get(k, true)
		if st.open == nil && !st.resolvedAt.After(asOf) {
			st.open = &openAlert{id: id}
			st.seen = asOf
		}
	}
}
