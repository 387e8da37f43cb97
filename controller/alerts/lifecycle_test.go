package alerts_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

// TestRestartAdoptsOpenAlerts: a new service on the same database (a
// restart, or another replica) takes over the open alert: a breach does not
// open a second one and a clear resolves it.
func TestRestartAdoptsOpenAlerts(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		ag := f.agent("edge")
		p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		f.rule(`{"name":"loss","metric":"packet_loss","operator":">","threshold":5}`)
		f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", loss(50)))

		restarted := alerts.New(f.db, alerts.Config{Clock: f.clock.Now}, slog.New(slog.DiscardHandler))
		restarted.Periodic(f.ctx)
		restarted.Evaluate(f.ctx, []probedata.Row{f.result(p, ag.ID, "PING", "192.0.2.1", loss(60))})
		if n := len(f.list("")); n != 1 {
			t.Fatalf("%d alerts after a breach on the restarted service, want 1", n)
		}
		restarted.Evaluate(f.ctx, []probedata.Row{f.result(p, ag.ID, "PING", "192.0.2.1", loss(0))})
		if list := f.list(""); list[0].Status != alerts.Resolved {
			t.Fatalf("the restarted service did not resolve the adopted alert: %+v", list[0])
		}
	})
}

// TestRuleChangesResolveOpenAlerts: deleting or disabling a rule, changing
// its metric, or deleting the probe an alert follows resolves the alert.
func TestRuleChangesResolveOpenAlerts(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		ag := f.agent("edge")
		p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
		change := map[string]func(r alerts.Rule) error{
			"delete": func(r alerts.Rule) error { return f.svc.DeleteRule(f.ctx, f.ws, r.ID) },
			"disable": func(r alerts.Rule) error {
				_, err := f.svc.UpdateRule(f.ctx, f.ws, r.ID, input(t, `{"enabled":false}`))
				return err
			},
			"metric": func(r alerts.Rule) error {
				_, err := f.svc.UpdateRule(f.ctx, f.ws, r.ID, input(t, `{"metric":"latency"}`))
				return err
			},
		}
		for _, name := range []string{"delete", "disable", "metric"} {
			r := f.rule(`{"name":"` + name + `","metric":"packet_loss","operator":">","threshold":5}`)
			f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", loss(50)))
			if err := change[name](r); err != nil {
				t.Fatal(err)
			}
			for _, a := range f.list("") {
				if a.RuleID == r.ID && a.Status != alerts.Resolved {
					t.Errorf("%s: alert %+v still open", name, a)
				}
			}
		}
		// A deleted probe's alert is resolved by the periodic sweep.
		// The "metric" rule now fires on latency; deleting the probe resolves
		// that alert in the periodic sweep.
		f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", loss(50)))
		if len(f.list(alerts.Active)) != 1 {
			t.Fatalf("want one alert (latency) to sweep: %+v", f.list(""))
		}
		if _, err := f.probes.Delete(f.ctx, f.ws, ag.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		f.svc.Periodic(f.ctx)
		if list := f.list(alerts.Active); len(list) != 0 {
			t.Errorf("the alert of a deleted probe is still open: %+v", list)
		}
	})
}

// TestOfflineAgents: offline alerts carry the minutes since the agent was
// last seen (never seen: since it was created) and no probe fields.
func TestOfflineAgents(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b, alerts.Config{})
		seen, never := f.agent("seen"), f.agent("never")
		setLastSeen(t, f.db, seen.ID, f.clock.Now().Add(-10*time.Minute))
		created := f.clock.Now()
		setCreated(t, f.db, never.ID, created.Add(-3*time.Minute))
		f.rule(`{"name":"offline","metric":"offline","operator":">","threshold":5,"for_count":2}`)

		f.svc.Periodic(f.ctx)
		if n := len(f.list("")); n != 0 {
			t.Fatalf("fired before for_count checks: %d alerts", n)
		}
		f.clock.Advance(time.Minute)
		f.svc.Periodic(f.ctx)
		list := f.list("")
		if len(list) != 1 || list[0].AgentID != seen.ID || list[0].Value != 11 || list[0].Metric != "offline" {
			t.Fatalf("offline alerts %+v, want one for the agent seen 11 minutes ago", list)
		}
		raw, _ := json.Marshal(list[0])
		var obj map[string]any
		_ = json.Unmarshal(raw, &obj)
		for _, k := range []string{"probe_id", "probe_type", "probe_name", "probe_target"} {
			if obj[k] != nil {
				t.Errorf("offline alert has %s = %v, want null", k, obj[k])
			}
		}
		f.clock.Advance(3 * time.Minute) // the never-seen agent is now 7 minutes old
		f.svc.Periodic(f.ctx)
		f.svc.Periodic(f.ctx)
		if n := len(f.list(alerts.Active)); n != 2 {
			t.Fatalf("%d active offline alerts, want 2 (never seen counts from creation)", n)
		}
		setLastSeen(t, f.db, seen.ID, f.clock.Now())
		f.svc.Periodic(f.ctx)
		for _, a := range f.list("") {
			if (a.AgentID == seen.ID) != (a.Status == alerts.Resolved) {
				t.Errorf("after agent %d came back: %+v", seen.ID, a)
			}
		}
	})
}

// TestAlertJSON: the Alert JSON has the reference's fields plus CONTRACT §7's.
func TestAlertJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.SQLite, alerts.Config{})
	ag := f.agent("Edge-Node-01")
	p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"10.0.0.1"}, Labels: json.RawMessage(`{"name":"Core Router"}`)})
	f.rule(`{"name":"loss","metric":"packet_loss","operator":">","threshold":1.0,"severity":"critical"}`)
	f.feed(f.result(p, ag.ID, "PING", "10.0.0.1", loss(5.2)))
	raw, _ := json.Marshal(f.list("")[0])
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"acknowledged_at", "acknowledged_by", "agent_id", "agent_name", "id", "message", "metric", "probe_id",
		"probe_name", "probe_target", "probe_type", "resolved_at", "rule_id", "severity", "status", "threshold",
		"triggered_at", "value", "workspace_id"}
	if !slices.Equal(keys, want) {
		t.Fatalf("Alert JSON keys %v, want %v", keys, want)
	}
	for k, v := range map[string]any{"probe_name": "Core Router", "probe_target": "10.0.0.1", "agent_name": "Edge-Node-01",
		"probe_type": "PING", "metric": "packet_loss", "value": 5.2, "threshold": 1.0, "severity": "critical",
		"status": "active", "probe_id": float64(p.ID), "agent_id": float64(ag.ID)} {
		if obj[k] != v {
			t.Errorf("%s = %v, want %v", k, obj[k], v)
		}
	}
	if s, _ := obj["triggered_at"].(string); len(s) == 0 || s[len(s)-1] != 'Z' {
		t.Errorf("triggered_at %q is not RFC 3339 UTC", s)
	}
	if msg := fmt.Sprint(obj["message"]); msg != "packet_loss is 5.2% (> 1%) on Core Router, measured by Edge-Node-01" {
		t.Errorf("message %q", msg)
	}
}

func input(t *testing.T, body string) alerts.RuleInput {
	t.Helper()
	var in alerts.RuleInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	return in
}

func setLastSeen(t *testing.T, db *store.DB, agentID int64, at time.Time) {
	t.Helper()
	if _, err := db.Exec(t.Context(), `UPDATE agents SET last_seen_at = ? WHERE id = ?`, at.UnixMilli(), agentID); err != nil {
		t.Fatal(err)
	}
}

func setCreated(t *testing.T, db *store.DB, agentID int64, at time.Time) {
	t.Helper()
	if _, err := db.Exec(t.Context(), `UPDATE agents SET created_at = ? WHERE id = ?`, at.UnixMilli(), agentID); err != nil {
		t.Fatal(err)
	}
}
