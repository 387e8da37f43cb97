package networkmap_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/networkmap"
	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
)

const mapInterval = time.Second

func TestNetworkMap(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		t.Run("contents", func(t *testing.T) { t.Parallel(); testContents(t, env.For(t)) })
		t.Run("updates", func(t *testing.T) { t.Parallel(); testUpdates(t, env.For(t)) })
	}, testenv.WithPanelTuning(config.PanelTuning{MapInterval: mapInterval}))
}

// fixture is a workspace with two agents, one connected.
type fixture struct {
	env       *testenv.Env
	owner     testenv.User
	ws        int64
	office    testenv.Agent // connected
	branch    testenv.Agent // never connected
	officeWS  *testenv.AgentConn
	ping, mtr int64
}

func newFixture(t *testing.T, env *testenv.Env) fixture {
	f := fixture{env: env, owner: env.NewUser()}
	f.ws = env.NewWorkspace(f.owner, "map")
	f.office = env.NewAgent(f.owner.Token, f.ws, "Office")
	f.branch = env.NewAgent(f.owner.Token, f.ws, "Branch")
	env.Bootstrap(&f.office)
	f.officeWS = env.ConnectAgent(f.office)
	return f
}

func (f fixture) probe(t *testing.T, body map[string]any) int64 {
	t.Helper()
	return int64(f.env.CreateProbe(f.owner.Token, f.office, body)["id"].(float64))
}

// post sends a result from the office agent and waits for its ack.
func (f fixture) post(t *testing.T, probeID int64, typ, target string, payload string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"probe_id": probeID, "type": typ, "target": target,
		"created_at": time.Now().UTC(), "payload": json.RawMessage(payload)})
	if m := f.officeWS.MustAsk(protocol.EventProbePost, body); m.Event != protocol.EventProbePostOK {
		t.Fatalf("probe_post: %s %s", m.Event, m.Body)
	}
}

const (
	pingPayload = `{"packets_sent":10,"packets_recv":10,"packet_loss":0,"avg_rtt":12300000,"min_rtt":11000000,"max_rtt":14000000,"std_dev_rtt":500000,"addr":"8.8.8.8"}`
	mtrPayload  = `{"report":{"hops":[` +
		`{"ttl":1,"hosts":[{"ip":"10.0.0.1"}],"loss_pct":"0.00","sent":5,"recv":5,"avg":"1.20"},` +
		`{"ttl":2,"hosts":[],"loss_pct":"100.00","sent":5,"recv":0,"avg":"0.00"},` +
		`{"ttl":3,"hosts":[{"ip":"100.64.1.1"},{"ip":"100.64.1.2"}],"loss_pct":"0.00","sent":5,"recv":5,"avg":"5.50"},` +
		`{"ttl":4,"hosts":[{"ip":"1.1.1.1"}],"loss_pct":"20.00","sent":5,"recv":4,"avg":"9.75"}]}}`
)

func ptr(v float64) *float64 { return &v }

func getMap(t *testing.T, f fixture, token string, want int) networkmap.Map {
	t.Helper()
	r := f.env.Call(http.MethodGet, fmt.Sprintf("/workspaces/%d/network-map", f.ws), token, nil, want)
	var m networkmap.Map
	if want == http.StatusOK {
		r.JSON(t, &m)
	}
	return m
}

func testContents(t *testing.T, env *testenv.Env) {
	f := newFixture(t, env)
	ping := f.probe(t, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})
	mtr := f.probe(t, map[string]any{"type": "MTR", "targets": []string{"1.1.1.1"}})
	toBranch := f.probe(t, map[string]any{"type": "AGENT", "agent_targets": []int64{f.branch.ID}})
	silent := f.probe(t, map[string]any{"type": "DNS", "targets": []string{"example.com"}})
	f.probe(t, map[string]any{"type": "SYSINFO"})
	f.post(t, ping, "PING", "8.8.8.8", pingPayload)
	f.post(t, mtr, "MTR", "1.1.1.1", mtrPayload)

	m := getMap(t, f, f.owner.Token, http.StatusOK)
	if m.WorkspaceID != f.ws || time.Since(m.GeneratedAt) > time.Minute {
		t.Errorf("workspace_id %d generated_at %s", m.WorkspaceID, m.GeneratedAt)
	}
	online, offline := true, false
	wantNodes := []networkmap.Node{
		{ID: fmt.Sprintf("agent:%d", f.office.ID), Type: "agent", Label: "Office", AgentID: f.office.ID, Online: &online},
		{ID: fmt.Sprintf("agent:%d", f.branch.ID), Type: "agent", Label: "Branch", AgentID: f.branch.ID, Online: &offline},
		{ID: "target:1.1.1.1", Type: "target", Label: "1.1.1.1"},
		{ID: "target:8.8.8.8", Type: "target", Label: "8.8.8.8"},
		{ID: "target:example.com", Type: "target", Label: "example.com"},
		{ID: "hop:10.0.0.1", Type: "hop", Label: "10.0.0.1"},
		{ID: "hop:100.64.1.1", Type: "hop", Label: "100.64.1.1"},
		{ID: "hop:100.64.1.2", Type: "hop", Label: "100.64.1.2"},
	}
	if got, want := jsonOf(m.Nodes), jsonOf(wantNodes); got != want {
		t.Errorf("nodes\n got %s\nwant %s", got, want)
	}
	office, branch := fmt.Sprintf("agent:%d", f.office.ID), fmt.Sprintf("agent:%d", f.branch.ID)
	wantEdges := []networkmap.Edge{
		{From: office, To: "target:8.8.8.8", ProbeID: ping, ProbeType: "PING", LatencyMs: ptr(12.3), LossPct: ptr(0)},
		{From: office, To: "hop:10.0.0.1", ProbeID: mtr, ProbeType: "MTR", LatencyMs: ptr(1.2), LossPct: ptr(0)},
		{From: "hop:10.0.0.1", To: "hop:100.64.1.1", ProbeID: mtr, ProbeType: "MTR", LatencyMs: ptr(5.5), LossPct: ptr(0)},
		{From: "hop:10.0.0.1", To: "hop:100.64.1.2", ProbeID: mtr, ProbeType: "MTR", LatencyMs: ptr(5.5), LossPct: ptr(0)},
		{From: "hop:100.64.1.1", To: "target:1.1.1.1", ProbeID: mtr, ProbeType: "MTR", LatencyMs: ptr(9.75), LossPct: ptr(20)},
		{From: "hop:100.64.1.2", To: "target:1.1.1.1", ProbeID: mtr, ProbeType: "MTR", LatencyMs: ptr(9.75), LossPct: ptr(20)},
		{From: office, To: branch, ProbeID: toBranch, ProbeType: "AGENT"},
		{From: office, To: "target:example.com", ProbeID: silent, ProbeType: "DNS"},
	}
	if got, want := jsonOf(m.Edges), jsonOf(wantEdges); got != want {
		t.Errorf("edges\n got %s\nwant %s", got, want)
	}

	viewer := env.NewUser()
	env.AddMember(f.owner, f.ws, viewer, "VIEWER")
	if got := getMap(t, f, viewer.Token, http.StatusOK); len(got.Nodes) != len(wantNodes) {
		t.Errorf("viewer sees %d nodes", len(got.Nodes))
	}
	getMap(t, f, env.NewUser().Token, http.StatusNotFound)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// testUpdates: a subscriber gets network_map_update when a probe is added
// and when an agent goes offline, never twice within the interval.
func testUpdates(t *testing.T, env *testenv.Env) {
	f := newFixture(t, env)
	c := env.ConnectPanel(f.owner.Token)
	c.Subscribe(f.ws, 0)

	f.probe(t, map[string]any{"type": "PING", "targets": []string{"192.0.2.7"}})
	f.probe(t, map[string]any{"type": "PING", "targets": []string{"192.0.2.8"}})
	var updates []networkmap.Map
	next := func(what string, match func(networkmap.Map) bool) {
		t.Helper()
		for {
			raw, _ := c.WaitFor("network_map_update", 5*time.Second+mapInterval, nil)
			var m networkmap.Map
			if err := json.Unmarshal([]byte(jsonOf(raw)), &m); err != nil || m.WorkspaceID != f.ws {
				t.Fatalf("network_map_update %v: %v", raw, err)
			}
			updates = append(updates, m)
			if match(m) {
				return
			}
			if len(updates) > 10 {
				t.Fatalf("no update shows %s", what)
			}
		}
	}
	hasTarget := func(target string) func(networkmap.Map) bool {
		return func(m networkmap.Map) bool {
			return slices.ContainsFunc(m.Nodes, func(n networkmap.Node) bool { return n.ID == "target:"+target })
		}
	}
	next("both new probes", func(m networkmap.Map) bool { return hasTarget("192.0.2.7")(m) && hasTarget("192.0.2.8")(m) })

	f.officeWS.Client.Close()
	next("the office offline", func(m networkmap.Map) bool {
		return slices.ContainsFunc(m.Nodes, func(n networkmap.Node) bool {
			return n.AgentID == f.office.ID && n.Online != nil && !*n.Online
		})
	})
	for i := 1; i < len(updates); i++ {
		// generated_at is taken as a build starts, at least an interval
		// after the previous update was sent.
		if gap := updates[i].GeneratedAt.Sub(updates[i-1].GeneratedAt); gap < mapInterval {
			t.Errorf("updates %d and %d only %s apart", i-1, i, gap)
		}
	}
}
