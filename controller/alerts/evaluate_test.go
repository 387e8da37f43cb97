package alerts_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// TestFlappingTargetFiresOnce: with for_count 3 and clear_count 3, a target
// that flaps produces exactly one alert, which resolves after three clears.
func TestFlappingTargetFiresOnce(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		ag := f.agent("edge")
		p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		f.rule(`{"name":"loss","metric":"packet_loss","operator":">","threshold":5,"for_count":3,"clear_count":3}`)
		for _, c := range "BcBBcBBBcBcBcBccBcBBcB" {
			v := 0.0
			if c == 'B' {
				v = 50
			}
			f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", loss(v)))
		}
		list := f.list("")
		if len(list) != 1 || list[0].Status != alerts.Active {
			t.Fatalf("alerts %+v, want exactly one active", list)
		}
		f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", loss(0)), f.result(p, ag.ID, "PING", "192.0.2.1", loss(0)))
		if list := f.list(alerts.Resolved); len(list) != 0 {
			t.Fatalf("resolved after two clears: %+v", list)
		}
		f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", loss(0)))
		if list := f.list(""); len(list) != 1 || list[0].Status != alerts.Resolved || list[0].ResolvedAt == nil {
			t.Fatalf("after three clears: %+v", list)
		}
		if got := f.panel.statuses(); !slices.Equal(got, []string{alerts.Active, alerts.Resolved}) {
			t.Errorf("panel got %v, want one active and one resolved", got)
		}
	})
}

// TestWorkspaceRuleKeysPerSeries: a workspace-wide rule follows each probe
// (and each target, result type, reporting agent) on its own.
func TestWorkspaceRuleKeysPerSeries(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		a1, a2 := f.agent("one"), f.agent("two")
		p1 := f.probe(a1.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		p2 := f.probe(a2.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		pa := f.probe(a1.ID, probes.Spec{Type: "AGENT", AgentTargets: []int64{a2.ID}})
		f.rule(`{"name":"loss","metric":"packet_loss","operator":"gte","threshold":10}`)
		f.svc.Evaluate(f.ctx, []probedata.Row{
			f.result(p1, a1.ID, "PING", "192.0.2.1", loss(20)),
			f.result(p2, a2.ID, "PING", "192.0.2.1", loss(20)),
			f.result(p1, a1.ID, "PING", "192.0.2.1", loss(30)), // same key again: no second alert
			f.result(pa, a1.ID, "PING", "198.51.100.2", loss(20)),
			f.result(pa, a1.ID, "TRAFFICSIM", "198.51.100.2:5000", loss(20)),
			f.result(pa, a2.ID, "TRAFFICSIM", "198.51.100.1:5000", loss(20)), // the far end reports too
		})
		list := f.list(alerts.Active)
		if len(list) != 5 {
			t.Fatalf("%d alerts, want 5 (one per series): %+v", len(list), list)
		}
		seen := map[string]bool{}
		for _, a := range list {
			k := fmt.Sprintf("%d/%d/%s/%s", *a.ProbeID, a.AgentID, *a.ProbeType, *a.ProbeTarget)
			if seen[k] {
				t.Errorf("two alerts for %s", k)
			}
			seen[k] = true
		}
	})
}

// TestAcknowledgedUntilResolvedThenNewAlert: an acknowledged alert stays
// open while the condition holds and resolves when it clears; a new breach
// opens a new alert once the cooldown is over.
func TestAcknowledgedUntilResolvedThenNewAlert(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		ag := f.agent("edge")
		p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		f.rule(`{"name":"loss","metric":"packet_loss","operator":">","threshold":5,"cooldown_minutes":10}`)
		breach, clear := f.result(p, ag.ID, "PING", "192.0.2.1", loss(50)), f.result(p, ag.ID, "PING", "192.0.2.1", loss(0))

		f.feed(breach)
		first := f.list("")[0]
		acked := f.setStatus(first.ID, alerts.Acknowledged)
		if acked.Status != alerts.Acknowledged || acked.AcknowledgedAt == nil || acked.AcknowledgedBy == nil || *acked.AcknowledgedBy != f.user.ID {
			t.Fatalf("acknowledged alert: %+v", acked)
		}
		f.feed(breach, breach)
		if list := f.list(""); len(list) != 1 || list[0].Status != alerts.Acknowledged {
			t.Fatalf("while still breaching: %+v", list)
		}
		if n, _ := f.svc.CountActive(f.ctx, f.user.ID); n != 0 {
			t.Errorf("count of active alerts %d, want 0 (acknowledged is not active)", n)
		}
		f.feed(clear)
		if list := f.list(""); len(list) != 1 || list[0].Status != alerts.Resolved {
			t.Fatalf("after the condition cleared: %+v", list)
		}
		f.feed(breach, breach, breach, breach) // minutes 1-4 of the cooldown
		if n := len(f.list("")); n != 1 {
			t.Fatalf("%d alerts during the cooldown, want 1", n)
		}
		f.clock.Advance(10 * time.Minute)
		f.feed(breach)
		list := f.list("")
		if len(list) != 2 || list[0].Status != alerts.Active || list[0].ID == first.ID {
			t.Fatalf("a breach after the cooldown must open a new alert: %+v", list)
		}
	})
}

// TestManualResolve: resolving by hand closes the alert for good (409 on
// any further change) and lets the key fire again after the cooldown.
func TestManualResolve(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		ag := f.agent("edge")
		p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		f.rule(`{"name":"loss","metric":"packet_loss","operator":">","threshold":5,"cooldown_minutes":0}`)
		breach := f.result(p, ag.ID, "PING", "192.0.2.1", loss(50))
		f.feed(breach)
		a := f.setStatus(f.list("")[0].ID, alerts.Resolved)
		if a.Status != alerts.Resolved || a.ResolvedAt == nil {
			t.Fatalf("resolved: %+v", a)
		}
		for _, s := range []string{alerts.Acknowledged, alerts.Resolved} {
			if _, err := f.svc.SetStatus(f.ctx, f.user.ID, a.ID, s); err == nil {
				t.Errorf("%s on a resolved alert was accepted", s)
			}
		}
		f.feed(breach)
		if list := f.list(alerts.Active); len(list) != 1 || list[0].ID == a.ID {
			t.Fatalf("the still-breaching key must open a new alert: %+v", list)
		}
	})
}

// TestResultWithoutTheValueIsIgnored: a result lacking the rule's metric
// neither fires nor clears.
func TestResultWithoutTheValueIsIgnored(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		ag := f.agent("edge")
		p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		f.rule(`{"name":"jitter","metric":"jitter","operator":">","threshold":5}`)
		noJitter := f.result(p, ag.ID, "PING", "192.0.2.1", loss(0)) // a deployed agent's PING
		f.feed(noJitter)
		if n := len(f.list("")); n != 0 {
			t.Fatalf("%d alerts from results without jitter", n)
		}
		f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", metrics.Values{Jitter: ptr(9.0)}), noJitter, noJitter)
		if list := f.list(""); len(list) != 1 || list[0].Status != alerts.Active || list[0].Value != 9 {
			t.Fatalf("results without jitter must not resolve: %+v", list)
		}
	})
}

// TestRuleScope: probe_id and agent_id narrow a rule; a rule only sees its
// own workspace.
func TestRuleScope(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		a1, a2 := f.agent("one"), f.agent("two")
		p1 := f.probe(a1.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		p2 := f.probe(a1.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.2"}})
		p3 := f.probe(a2.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.3"}})
		r1 := f.rule(fmt.Sprintf(`{"name":"p1","metric":"latency","operator":">","threshold":10,"probe_id":%d}`, p1.ID))
		r2 := f.rule(fmt.Sprintf(`{"name":"a2","metric":"latency","operator":">","threshold":10,"agent_id":%d}`, a2.ID))
		other := f.result(p1, a1.ID, "PING", "192.0.2.1", loss(0))
		other.WorkspaceID = f.ws + 1000
		f.feed(f.result(p1, a1.ID, "PING", "192.0.2.1", loss(0)), f.result(p2, a1.ID, "PING", "192.0.2.2", loss(0)),
			f.result(p3, a2.ID, "PING", "192.0.2.3", loss(0)), other)
		var got []string
		for _, a := range f.list("") {
			got = append(got, fmt.Sprintf("%d:%s", a.RuleID, *a.ProbeTarget))
		}
		slices.Sort(got)
		want := []string{fmt.Sprintf("%d:192.0.2.1", r1.ID), fmt.Sprintf("%d:192.0.2.3", r2.ID)}
		if !slices.Equal(got, want) {
			t.Fatalf("alerts %v, want %v", got, want)
		}
	})
}
