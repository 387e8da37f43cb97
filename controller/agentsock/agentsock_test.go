package agentsock_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// fleet is a workspace with bootstrapped agents.
type fleet struct {
	env    *testenv.Env
	owner  testenv.User
	ws     int64
	agents []testenv.Agent
}

func newFleet(t *testing.T, env *testenv.Env, n int) *fleet {
	f := &fleet{env: env, owner: env.NewUser()}
	f.ws = env.NewWorkspace(f.owner, "socket tests")
	for i := 0; i < n; i++ {
		a := env.NewAgent(f.owner.Token, f.ws, fmt.Sprintf("agent-%d", i))
		env.Bootstrap(&a)
		f.agents = append(f.agents, a)
	}
	return f
}

func pingResult(probeID int64, target string, at time.Time) []byte {
	b, _ := json.Marshal(protocol.ProbeData{ProbeID: probeID, CreatedAt: at, Type: protocol.TypePing, Target: target,
		Payload: json.RawMessage(`{"packets_sent":10,"packets_recv":9,"packet_loss":10,"avg_rtt":12500000,"min_rtt":10000000,"max_rtt":15000000,"std_dev_rtt":1000000,"note":"a;b;;c"}`)})
	return b
}

func probeIDOf(t *testing.T, p map[string]any) int64 {
	id, ok := p["id"].(float64)
	if !ok {
		t.Fatalf("probe without id: %v", p)
	}
	return int64(id)
}

func TestEveryAgentEvent(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newFleet(t, env, 2)
		a := f.agents[0]
		probe := env.CreateProbe(f.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"192.0.2.7"}})
		conn := env.ConnectAgent(a)

		// probe_get: the agent's PING plus the virtual probes.
		reply := conn.MustAsk(protocol.EventProbeGet, []byte("hello"))
		var list []protocol.Probe
		if err := json.Unmarshal(reply.Body, &list); err != nil {
			t.Fatalf("probe_get body %s: %v", reply.Body, err)
		}
		types := map[string]int64{}
		for _, p := range list {
			types[p.Type] = p.ID
		}
		for _, typ := range []string{protocol.TypePing, protocol.TypeNetinfo, protocol.TypeSysinfo, protocol.TypeSpeedtestServers, protocol.TypeSpeedtest} {
			if _, ok := types[typ]; !ok {
				t.Errorf("probe_get list lacks %s: %s", typ, reply.Body)
			}
		}
		if types[protocol.TypePing] != probeIDOf(t, probe) || types[protocol.TypeNetinfo] != 0 {
			t.Errorf("probe ids in list: %v", types)
		}

		// version updates the agent row and answers the plain text "ok".
		if m := conn.MustAsk(protocol.EventVersion, []byte(`{"version":"9.8.7"}`)); string(m.Body) != protocol.VersionOK {
			t.Errorf("version reply %q", m.Body)
		}
		got := env.Call("GET", a.Path(), f.owner.Token, nil, http.StatusOK).Map(t)
		if got["version"] != "9.8.7" || got["online"] != true {
			t.Errorf("agent after version: version %v online %v", got["version"], got["online"])
		}

		if m := conn.MustAsk(protocol.EventPing, []byte(`{"ts":"2026-01-01T00:00:00Z"}`)); m.Event != protocol.EventPong || string(m.Body) != protocol.ReplyOK {
			t.Errorf("ping answered %s %q", m.Event, m.Body)
		}

		servers := `[{"id":"4242","name":"Test","sponsor":"ISP","host":"st.example:8080","url":"http://st.example","country":"CA","lat":"49","lon":"-123","distance":3.2}]`
		if m := conn.MustAsk(protocol.EventSpeedtestServers, []byte(servers)); m.Event != protocol.EventSpeedtestServersOK {
			t.Errorf("speedtest_servers answered %s", m.Event)
		}
		listed := env.Call("GET", a.Path("speedtest-servers"), f.owner.Token, nil, http.StatusOK).Map(t)
		if data, _ := listed["data"].([]any); len(data) != 1 {
			t.Errorf("speedtest-servers after report: %v", listed)
		}

		// A queued speed test is handed out, and its result completes it.
		item := env.Call("POST", a.Path("speedtest-queue"), f.owner.Token, map[string]any{"server_id": "4242", "server_name": "Test"}, http.StatusCreated).Map(t)
		if _, ok := conn.WaitFor(protocol.EventProbeGet, 5*time.Second); !ok {
			t.Error("no probe_get pushed after a speed test was queued")
		}
		m := conn.MustAsk(protocol.EventSpeedtestQueueGet, []byte(`{}`))
		var queue []map[string]any
		if err := json.Unmarshal(m.Body, &queue); err != nil || len(queue) != 1 || queue[0]["server_id"] != "4242" || queue[0]["status"] != "pending" {
			t.Fatalf("speedtest_queue = %s (%v)", m.Body, err)
		}
		result := fmt.Sprintf(`{"queue_id":%v,"success":true,"data":{"test_data":[{"id":"4242","name":"Test","latency":12000000,"dl_speed":12500000,"ul_speed":2500000}],"timestamp":"2026-01-01T00:00:00Z"}}`, item["id"])
		if m := conn.MustAsk(protocol.EventSpeedtestResult, []byte(result)); m.Event != protocol.EventSpeedtestResultOK {
			t.Errorf("speedtest_result answered %s %q", m.Event, m.Body)
		}
		q := env.Call("GET", a.Path("speedtest-queue"), f.owner.Token, nil, http.StatusOK).Map(t)
		if data, _ := q["data"].([]any); len(data) != 1 || data[0].(map[string]any)["status"] != "completed" {
			t.Errorf("queue after result: %v", q)
		}

		// probe_post with a wait is acknowledged after commit and then queryable.
		if m := conn.MustAsk(protocol.EventProbePost, pingResult(probeIDOf(t, probe), "192.0.2.7", time.Now().UTC())); m.Event != protocol.EventProbePostOK || string(m.Body) != protocol.ReplyOK {
			t.Fatalf("probe_post answered %s %q", m.Event, m.Body)
		}
		rows := env.Call("GET", fmt.Sprintf("/workspaces/%d/probe-data/find?type=PING", f.ws), f.owner.Token, nil, http.StatusOK).Map(t)
		data, _ := rows["data"].([]any)
		if len(data) != 1 {
			t.Fatalf("find after ack: %v", rows)
		}
		row := data[0].(map[string]any)
		if row["agent_id"] != float64(a.ID) || row["probe_agent_id"] != float64(a.ID) || !strings.Contains(fmt.Sprint(row["payload"]), "a;b;;c") {
			t.Errorf("stored row %v", row)
		}
		speed := env.Call("GET", fmt.Sprintf("/workspaces/%d/probe-data/find?type=SPEEDTEST", f.ws), f.owner.Token, nil, http.StatusOK).Map(t)
		if data, _ := speed["data"].([]any); len(data) != 1 {
			t.Errorf("speed-test result not stored as SPEEDTEST data: %v", speed)
		}
	})
}

func TestPostForAnotherAgentsProbeIsRefused(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newFleet(t, env, 2)
		other := env.CreateProbe(f.owner.Token, f.agents[1], map[string]any{"type": "PING", "targets": []string{"192.0.2.9"}})
		conn := env.ConnectAgent(f.agents[0])
		_, err := conn.Ask(protocol.EventProbePost, pingResult(probeIDOf(t, other), "192.0.2.9", time.Now()))
		if err == nil || !strings.Contains(err.Error(), "does not belong") {
			t.Fatalf("posting for another agent's probe: err = %v, want a refusal", err)
		}
		rows := env.Call("GET", fmt.Sprintf("/workspaces/%d/probe-data/find", f.ws), f.owner.Token, nil, http.StatusOK).Map(t)
		if data, _ := rows["data"].([]any); len(data) != 0 {
			t.Errorf("refused result was stored: %v", rows)
		}
	})
}

func TestHandshakeRejections(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newFleet(t, env, 2)
		bad := f.agents[0]
		bad.PSK = strings.Repeat("0", 64)
		if _, err := env.DialAgent(bad); err == nil || err.Error() != neffos.RejectInvalidPSK {
			t.Errorf("bad PSK: dial error %v, want %q", err, neffos.RejectInvalidPSK)
		}
		gone := f.agents[1]
		env.Call("DELETE", gone.Path(), f.owner.Token, nil, http.StatusOK)
		if _, err := env.DialAgent(gone); err == nil || err.Error() != neffos.RejectAgentDeleted {
			t.Errorf("deleted agent: dial error %v, want %q", err, neffos.RejectAgentDeleted)
		}
	})
}

func TestNewerConnectionReplacesOlder(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newFleet(t, env, 1)
		first := env.ConnectAgent(f.agents[0])
		second := env.ConnectAgent(f.agents[0])
		if _, ok := first.WaitFor(neffos.OnNamespaceDisconnect, 5*time.Second); !ok {
			t.Fatal("older connection was not told to disconnect its namespace")
		}
		if m := second.MustAsk(protocol.EventPing, []byte(`{}`)); m.Event != protocol.EventPong {
			t.Errorf("newer connection answered %s", m.Event)
		}
	})
}

func TestDeleteAndRegenerateDeactivateConnectedAgent(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newFleet(t, env, 2)
		for i, c := range []struct{ path, reason string }{{"", "deleted"}, {"regenerate", "regenerated"}} {
			a := f.agents[i]
			conn := env.ConnectAgent(a)
			if c.path == "" {
				env.Call("DELETE", a.Path(), f.owner.Token, nil, http.StatusOK)
			} else {
				env.Call("POST", a.Path(c.path), f.owner.Token, nil, http.StatusOK)
			}
			m, ok := conn.WaitFor(protocol.EventDeactivate, 5*time.Second)
			if !ok {
				t.Fatalf("%s: no deactivate received", c.reason)
			}
			var body struct {
				Reason string `json:"reason"`
			}
			if json.Unmarshal(m.Body, &body); body.Reason != c.reason {
				t.Errorf("deactivate body %q, want reason %q", m.Body, c.reason)
			}
		}
	})
}

func TestProbeChangesArePushed(t *testing.T) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newFleet(t, env, 1)
		conn := env.ConnectAgent(f.agents[0])
		env.CreateProbe(f.owner.Token, f.agents[0], map[string]any{"type": "DNS", "targets": []string{"example.org"}})
		m, ok := conn.WaitFor(protocol.EventProbeGet, 5*time.Second)
		if !ok {
			t.Fatal("no probe_get pushed after a probe was created")
		}
		if !strings.Contains(string(m.Body), `"example.org"`) {
			t.Errorf("pushed list lacks the new probe: %s", m.Body)
		}
	})
}
