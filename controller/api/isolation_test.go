package api_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// TestAgentProbeIsolation: for every agent and probe endpoint, an id of
// workspace B used under workspace A's path is 404, even for a caller who
// owns both workspaces (so only the id-to-path check can refuse it), and
// changes nothing. Ids of the same workspace under the wrong agent are 404
// too. Ids in bodies that name another workspace's agents are 400.
func TestAgentProbeIsolation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		wsA, wsB := env.NewWorkspace(owner, "A"), env.NewWorkspace(owner, "B")
		agentA, agentA2 := env.NewAgent(owner.Token, wsA, "a"), env.NewAgent(owner.Token, wsA, "a2")
		agentB, agentB2 := env.NewAgent(owner.Token, wsB, "b"), env.NewAgent(owner.Token, wsB, "b2")
		env.Bootstrap(&agentB)
		probeA := env.CreateProbe(owner.Token, agentA, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})
		probeB := env.CreateProbe(owner.Token, agentB, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "agent_targets": []int64{agentB2.ID}})

		// B's agent under A's workspace path.
		bInA := testenv.Agent{ID: agentB.ID, WorkspaceID: wsA}
		pB, pA := itoa(num(t, probeB, "id")), itoa(num(t, probeA, "id"))

		snapshot := func() []any {
			return []any{
				env.Call("GET", agentB.Path(), owner.Token, nil, 200).Map(t),
				env.Call("GET", agentB.Path("probes"), owner.Token, nil, 200).Map(t),
				env.Call("GET", agentB2.Path("probes"), owner.Token, nil, 200).Map(t),
				env.Call("GET", agentA.Path(), owner.Token, nil, 200).Map(t),
				env.Call("GET", agentA.Path("probes"), owner.Token, nil, 200).Map(t),
				env.Call("GET", agentA2.Path("probes"), owner.Token, nil, 200).Map(t),
			}
		}
		before := snapshot()

		for _, tc := range []struct {
			name, method, path string
			body               any
		}{
			{"get agent", "GET", bInA.Path(), nil},
			{"patch agent", "PATCH", bInA.Path(), map[string]any{"name": "hijacked"}},
			{"delete agent", "DELETE", bInA.Path(), nil},
			{"heartbeat", "POST", bInA.Path("heartbeat"), nil},
			{"issue-pin", "POST", bInA.Path("issue-pin"), nil},
			{"regenerate", "POST", bInA.Path("regenerate"), nil},
			{"netinfo", "GET", bInA.Path("netinfo"), nil},
			{"sysinfo", "GET", bInA.Path("sysinfo"), nil},
			{"list probes", "GET", bInA.Path("probes"), nil},
			{"create probe", "POST", bInA.Path("probes"), map[string]any{"type": "DNS", "targets": []string{"example.com"}}},
			{"copy probes", "POST", bInA.Path("probes", "copy"), map[string]any{"dest_agent_ids": []int64{agentA.ID}}},
			{"get probe (B agent, B probe)", "GET", bInA.Path("probes", pB), nil},
			{"patch probe (B agent, B probe)", "PATCH", bInA.Path("probes", pB), map[string]any{"enabled": false}},
			{"delete probe (B agent, B probe)", "DELETE", bInA.Path("probes", pB), nil},
			{"get probe (A agent, B probe)", "GET", agentA.Path("probes", pB), nil},
			{"patch probe (A agent, B probe)", "PATCH", agentA.Path("probes", pB), map[string]any{"enabled": false}},
			{"delete probe (A agent, B probe)", "DELETE", agentA.Path("probes", pB), nil},
			{"similar (B probe)", "GET", wsPath(wsA, "probe-data", "probes", pB, "similar"), nil},
			{"get probe (A probe under another A agent)", "GET", agentA2.Path("probes", pA), nil},
			{"patch probe (A probe under another A agent)", "PATCH", agentA2.Path("probes", pA), map[string]any{"enabled": false}},
			{"delete probe (A probe under another A agent)", "DELETE", agentA2.Path("probes", pA), nil},
			{"get probe (A probe under B's workspace)", "GET", agentB.Path("probes", pA), nil},
			{"similar (A probe under B's workspace)", "GET", wsPath(wsB, "probe-data", "probes", pA, "similar"), nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, env.For(t).Do(testenv.Request{Method: tc.method, Path: tc.path, Token: owner.Token, Body: tc.body}), http.StatusNotFound)
			})
		}
		// Ids in bodies: another workspace's agents are bad input.
		for _, tc := range []struct {
			name, path string
			body       map[string]any
		}{
			{"probe targeting B's agent", agentA.Path("probes"), map[string]any{"type": "AGENT", "agent_targets": []int64{agentB.ID}}},
			{"bidirectional pair with B's agent", agentA.Path("probes"), map[string]any{"type": "AGENT", "agent_targets": []int64{agentB.ID}, "bidirectional": true}},
			{"copy to B's agent", agentA.Path("probes", "copy"), map[string]any{"dest_agent_ids": []int64{agentB.ID}}},
			{"copy from B's agent", wsPath(wsA, "probes", "copy"), map[string]any{"source_agent_id": agentB.ID, "dest_agent_ids": []int64{agentA.ID}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, env.For(t).Do(testenv.Request{Method: "POST", Path: tc.path, Token: owner.Token, Body: tc.body}), http.StatusBadRequest)
			})
		}
		wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: agentA.Path("probes", pA), Token: owner.Token,
			Body: map[string]any{"replaceAgentTargets": []int64{agentB.ID}}}), http.StatusBadRequest)

		if after := snapshot(); !reflect.DeepEqual(after, before) {
			t.Errorf("refused cross-workspace calls changed something:\nbefore %v\nafter  %v", before, after)
		}
		// B's agent still authenticates with its PSK (regenerate and delete did not reach it).
		if r := env.AgentLogin(loginBody(agentB, "psk", agentB.PSK), nil); r.Status != 200 {
			t.Errorf("B's agent after the refused calls: %d %s", r.Status, r.Body)
		}
	})
}
