package agentsock_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
)

func probeList(t *testing.T, conn *testenv.AgentConn) []protocol.Probe {
	t.Helper()
	var list []protocol.Probe
	if err := json.Unmarshal(conn.MustAsk(protocol.EventProbeGet, []byte("please")).Body, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// PROTOCOL.md §4: agent targets resolve to addresses, an AGENT probe
// expands into MTR, TRAFFICSIM and (optionally) PING with its own id, and a
// traffic-simulation agent gets a server probe listing who may send to it.
func TestProbeListExpansion(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite)
	f := newFleet(t, env, 3)
	a, b, c := f.agents[0], f.agents[1], f.agents[2]
	env.Call("PATCH", a.Path(), f.owner.Token, map[string]any{"public_ip_override": "198.51.100.1"}, http.StatusOK)
	env.Call("PATCH", b.Path(), f.owner.Token, map[string]any{"public_ip_override": "198.51.100.2",
		"trafficsim_enabled": true, "trafficsim_port": 6000}, http.StatusOK)
	agentProbe := env.CreateProbe(f.owner.Token, a, map[string]any{"type": "AGENT", "agent_targets": []int64{b.ID},
		"metadata": map[string]any{"include_ping": true}})
	// c has no address: a probe that only targets it is left out.
	env.CreateProbe(f.owner.Token, a, map[string]any{"type": "PING", "agent_targets": []int64{c.ID}})

	got := map[string]protocol.Probe{}
	for _, p := range probeList(t, env.ConnectAgent(a)) {
		if _, dup := got[p.Type]; dup {
			t.Fatalf("two %s probes in a's list", p.Type)
		}
		got[p.Type] = p
	}
	want := map[string]struct {
		target                   string
		interval, timeout, count int
	}{
		protocol.TypeMTR:        {"198.51.100.2", 300, 30, 5},
		protocol.TypeTrafficSim: {"198.51.100.2:6000", 60, 10, 0},
		protocol.TypePing:       {"198.51.100.2", 60, 10, 10},
	}
	for typ, w := range want {
		p, ok := got[typ]
		if !ok {
			t.Errorf("a's list lacks the %s of its AGENT probe", typ)
			continue
		}
		if p.ID != int64(agentProbe["id"].(float64)) || len(p.Targets) != 1 || p.Targets[0].Target != w.target ||
			p.Targets[0].AgentID == nil || *p.Targets[0].AgentID != b.ID ||
			p.IntervalSec != w.interval || p.TimeoutSec != w.timeout || p.Count != w.count {
			t.Errorf("%s expansion = %+v, want id %v, target %s of agent %d, %d/%d/%d", typ, p, agentProbe["id"], w.target, b.ID, w.interval, w.timeout, w.count)
		}
	}
	if _, ok := got[protocol.TypeAgent]; ok {
		t.Error("an AGENT probe was sent as itself")
	}

	var server *protocol.Probe
	for _, p := range probeList(t, env.ConnectAgent(b)) {
		if p.Type == protocol.TypeTrafficSim && p.Server {
			server = &p
		}
	}
	if server == nil || server.ID != 0 || len(server.Targets) != 2 || server.Targets[0].Target != "0.0.0.0:6000" ||
		server.Targets[1].Target != "198.51.100.1" || server.Targets[1].AgentID == nil || *server.Targets[1].AgentID != a.ID {
		t.Fatalf("b's TRAFFICSIM server probe = %+v, want 0.0.0.0:6000 then a at 198.51.100.1", server)
	}
}
