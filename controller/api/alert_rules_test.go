package api_test

import (
	"net/http"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

var ruleFields = []string{"id", "workspace_id", "name", "metric", "operator", "threshold", "severity", "probe_id", "agent_id",
	"for_count", "clear_count", "cooldown_minutes", "notify_panel", "notify_webhook", "webhook_url", "has_webhook_secret",
	"enabled", "created_at", "updated_at"}

// TestAlertRuleCRUD: defaults, operator forms, the write-only secret,
// either casing on input, PATCH semantics and delete.
func TestAlertRuleCRUD(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Rules")
		rule := env.Call("POST", wsPath(ws, "alert-rules"), owner.Token, map[string]any{
			"name": "High Packet Loss", "metric": "packet_loss", "operator": "gte", "threshold": 5,
			"notifyWebhook": true, "webhookUrl": "https://hooks.example.com/alert", "webhook_secret": "optional-hmac-secret",
		}, http.StatusCreated).Map(t)
		wantKeys(t, "AlertRule", rule, ruleFields)
		for k, want := range map[string]any{"operator": ">=", "severity": "warning", "for_count": 1.0, "clear_count": 1.0,
			"cooldown_minutes": 5.0, "notify_panel": true, "notify_webhook": true, "has_webhook_secret": true, "enabled": true,
			"probe_id": nil, "agent_id": nil, "workspace_id": float64(ws)} {
			if rule[k] != want {
				t.Errorf("%s = %#v, want %#v", k, rule[k], want)
			}
		}
		wantTime(t, "created_at", rule["created_at"])
		id := itoa(num(t, rule, "id"))

		if got := listOf(t, env.Call("GET", wsPath(ws, "alert-rules"), owner.Token, nil, http.StatusOK)); len(got) != 1 {
			t.Fatalf("list has %d rules", len(got))
		}
		patched := env.Call("PATCH", wsPath(ws, "alert-rules", id), owner.Token, map[string]any{
			"webhook_secret": nil, "forCount": 3, "operator": "<", "notify_webhook": false, "webhook_url": nil,
		}, http.StatusOK).Map(t)
		if patched["has_webhook_secret"] != false || patched["for_count"] != 3.0 || patched["operator"] != "<" ||
			patched["webhook_url"] != nil || patched["name"] != "High Packet Loss" {
			t.Errorf("after PATCH: %v", patched)
		}
		got := env.Call("GET", wsPath(ws, "alert-rules", id), owner.Token, nil, http.StatusOK).Map(t)
		wantKeys(t, "AlertRule", got, ruleFields)
		env.Call("DELETE", wsPath(ws, "alert-rules", id), owner.Token, nil, http.StatusOK)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(ws, "alert-rules", id), Token: owner.Token}), http.StatusNotFound)
	})
}

// TestAlertRuleValidation: bad fields and scopes are 400 naming the field.
func TestAlertRuleValidation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		wsA, wsB := env.NewWorkspace(owner, "A"), env.NewWorkspace(owner, "B")
		agentA, agentA2, agentB := env.NewAgent(owner.Token, wsA, "a"), env.NewAgent(owner.Token, wsA, "a2"), env.NewAgent(owner.Token, wsB, "b")
		dnsA := num(t, env.CreateProbe(owner.Token, agentA, map[string]any{"type": "DNS", "targets": []string{"example.com"}}), "id")
		agentProbe := num(t, env.CreateProbe(owner.Token, agentA, map[string]any{"type": "AGENT", "agent_targets": []int64{agentA2.ID}}), "id")
		pingB := num(t, env.CreateProbe(owner.Token, agentB, map[string]any{"type": "PING", "targets": []string{"192.0.2.1"}}), "id")
		rule := func(extra map[string]any) map[string]any {
			b := map[string]any{"name": "r", "metric": "packet_loss", "operator": ">", "threshold": 1}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		for _, c := range []struct {
			body      map[string]any
			fragments []string
		}{
			{map[string]any{"metric": "latency", "operator": ">", "threshold": 1}, []string{"name"}},
			{rule(map[string]any{"metric": "rtt"}), []string{"metric", "rtt"}},
			{rule(map[string]any{"operator": "≈"}), []string{"operator"}},
			{rule(map[string]any{"threshold": "high"}), []string{"threshold"}},
			{rule(map[string]any{"severity": "fatal"}), []string{"severity"}},
			{rule(map[string]any{"for_count": 0}), []string{"for_count"}},
			{rule(map[string]any{"notify_webhook": true}), []string{"webhook_url"}},
			{rule(map[string]any{"webhook_url": "file:///etc/passwd"}), []string{"webhook_url"}},
			{rule(map[string]any{"probe_id": pingB}), []string{"probe_id", "not a probe of this workspace"}},
			{rule(map[string]any{"agent_id": agentB.ID}), []string{"agent_id", "not an agent of this workspace"}},
			{rule(map[string]any{"probe_id": dnsA}), []string{"packet_loss", "DNS"}},
			{rule(map[string]any{"metric": "dns_query_time", "probe_id": agentProbe}), []string{"dns_query_time", "AGENT"}},
			{rule(map[string]any{"metric": "offline", "probe_id": dnsA}), []string{"offline", "agent_id"}},
			{rule(map[string]any{"probe_id": agentProbe, "agent_id": agentB.ID}), []string{"agent_id"}},
		} {
			wantError(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(wsA, "alert-rules"), Token: owner.Token, Body: c.body}),
				http.StatusBadRequest, c.fragments...)
		}
		// An AGENT probe carries its expansion's metrics; its target agent reports too.
		for _, extra := range []map[string]any{
			{"probe_id": agentProbe, "metric": "end_hop_loss"},
			{"probe_id": agentProbe, "agent_id": agentA2.ID},
			{"metric": "offline", "agent_id": agentA.ID},
		} {
			env.Call("POST", wsPath(wsA, "alert-rules"), owner.Token, rule(extra), http.StatusCreated)
		}
	})
}

// TestAlertRuleAccess: any member reads rules, only ADMIN writes them,
// non-members see 404, and a rule id is only found under its workspace.
func TestAlertRuleAccess(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, admin, user, viewer, stranger := env.NewUser(), env.NewUser(), env.NewUser(), env.NewUser(), env.NewUser()
		ws, other := env.NewWorkspace(owner, "A"), env.NewWorkspace(owner, "B")
		env.AddMember(owner, ws, admin, "ADMIN")
		env.AddMember(owner, ws, user, "USER")
		env.AddMember(owner, ws, viewer, "VIEWER")
		body := map[string]any{"name": "r", "metric": "latency", "operator": ">", "threshold": 100}
		id := itoa(num(t, env.Call("POST", wsPath(ws, "alert-rules"), admin.Token, body, http.StatusCreated).Map(t), "id"))
		otherID := itoa(num(t, env.Call("POST", wsPath(other, "alert-rules"), owner.Token, body, http.StatusCreated).Map(t), "id"))

		for _, who := range []testenv.User{user, viewer} {
			env.Call("GET", wsPath(ws, "alert-rules"), who.Token, nil, http.StatusOK)
			env.Call("GET", wsPath(ws, "alert-rules", id), who.Token, nil, http.StatusOK)
			for _, req := range []testenv.Request{
				{Method: "POST", Path: wsPath(ws, "alert-rules"), Body: body},
				{Method: "PATCH", Path: wsPath(ws, "alert-rules", id), Body: map[string]any{"threshold": 1}},
				{Method: "DELETE", Path: wsPath(ws, "alert-rules", id)},
			} {
				req.Token = who.Token
				if b := wantError(t, env.Do(req), http.StatusForbidden); b["required_role"] != "ADMIN" {
					t.Errorf("%s %s: required_role %v, want ADMIN", req.Method, req.Path, b["required_role"])
				}
			}
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(ws, "alert-rules"), Token: stranger.Token}), http.StatusNotFound)
		for _, req := range []testenv.Request{
			{Method: "GET", Path: wsPath(ws, "alert-rules", otherID)},
			{Method: "PATCH", Path: wsPath(ws, "alert-rules", otherID), Body: map[string]any{"threshold": 1}},
			{Method: "DELETE", Path: wsPath(ws, "alert-rules", otherID)},
		} {
			req.Token = owner.Token
			wantError(t, env.Do(req), http.StatusNotFound)
		}
		if r := env.Call("GET", wsPath(other, "alert-rules", otherID), owner.Token, nil, http.StatusOK).Map(t); r["threshold"] != 100.0 {
			t.Errorf("the other workspace's rule changed: %v", r)
		}
	})
}
