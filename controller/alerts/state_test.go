package alerts

import (
	"testing"
	"time"
)

// run feeds a breach pattern ('B' breach, 'c' clear) into one state and
// returns the actions as a string ('F' fire, 'R' resolve, '.' nothing).
func run(st *state, r *ruleSpec, pattern string, start time.Time, every time.Duration) string {
	out := make([]byte, len(pattern))
	for i := range pattern {
		switch st.step(r, pattern[i] == 'B', start.Add(time.Duration(i)*every)) {
		case fire:
			out[i] = 'F'
		case resolve:
			out[i] = 'R'
		default:
			out[i] = '.'
		}
	}
	return string(out)
}

func spec(forCount, clearCount int, cooldown time.Duration) *ruleSpec {
	return &ruleSpec{Rule: Rule{ForCount: forCount, ClearCount: clearCount}, cooldown: cooldown}
}

func TestStateHysteresis(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		rule    *ruleSpec
		pattern string
		want    string
	}{
		{"fires at once by default", spec(1, 1, 0), "cBBc", ".F.R"},
		{"for_count 3 needs three in a row", spec(3, 1, 0), "BBcBBcBBB", "........F"},
		{"flapping while open does not resolve with clear_count 3", spec(3, 3, 0), "BcBBBcBcBcBccBcccB", "....F...........R."},
		{"open alert does not fire again", spec(1, 1, 0), "BBBBB", "F...."},
		{"breach after resolve opens a new alert", spec(1, 1, 0), "BcB", "FRF"},
		{"cooldown holds a new alert back", spec(1, 1, 3*time.Minute), "BcBBBB", "FR..F."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := run(&state{}, c.rule, c.pattern, start, time.Minute); got != c.want {
				t.Errorf("pattern %s gave %s, want %s", c.pattern, got, c.want)
			}
		})
	}
}

func TestStateIdle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := spec(2, 1, 5*time.Minute)
	st := &state{}
	st.step(r, true, now)
	if st.idle(r.cooldown, now) {
		t.Error("a partial streak is not idle")
	}
	st.step(r, false, now)
	if !st.idle(r.cooldown, now) {
		t.Error("a broken streak with no alert is idle")
	}
	st = &state{resolvedAt: now}
	if st.idle(r.cooldown, now.Add(time.Minute)) || !st.idle(r.cooldown, now.Add(5*time.Minute)) {
		t.Error("a state is idle exactly when its cooldown is over")
	}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	keyA := stateKey{ruleID: 1, seriesKey: seriesKey{agentID: 1, probeID: 2, resultType: "PING", target: "a"}}
	keyB := stateKey{ruleID: 1, seriesKey: seriesKey{agentID: 1, probeID: 2, resultType: "PING", target: "b"}}
	keyC := stateKey{ruleID: 1, seriesKey: seriesKey{agentID: 1, probeID: 2, resultType: "PING", target: "c"}}
	tr := newTracker()
	tr.get(keyB, true).open = &openAlert{id: 7} // resolved elsewhere meanwhile
	tr.reconcile(map[stateKey]int64{keyA: 5}, map[stateKey]int64{keyB: now.Add(-time.Minute).UnixMilli(), keyC: now.UnixMilli()}, now)
	if st := tr.get(keyA, false); st == nil || st.open == nil || st.open.id != 5 {
		t.Errorf("open alert 5 not adopted: %+v", st)
	}
	if st := tr.get(keyB, false); st.open != nil || !st.resolvedAt.Equal(now.Add(-time.Minute)) {
		t.Errorf("alert 7 resolved elsewhere still open in memory: %+v", st)
	}
	if st := tr.get(keyC, false); st == nil || !st.resolvedAt.Equal(time.UnixMilli(now.UnixMilli())) {
		t.Errorf("cooldown of a recent resolution not restored: %+v", st)
	}
	// A key resolved here after the stored view was read is not re-opened.
	tr.closed(keyA, 5, now.Add(time.Second))
	tr.reconcile(map[stateKey]int64{keyA: 5}, nil, now)
	if st := tr.get(keyA, false); st.open != nil {
		t.Error("an alert resolved after the read was re-adopted")
	}
}
