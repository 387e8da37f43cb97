package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
)

var probeDataFields = []string{"agent_id", "created_at", "id", "payload", "probe_agent_id", "probe_id", "received_at",
	"target", "target_agent", "triggered", "triggered_reason", "type"}

// ingestFixture is a workspace with two agents that have posted results
// through the real agent socket.
type ingestFixture struct {
	env        *testenv.Env
	owner      testenv.User
	ws         int64
	a, b       testenv.Agent
	ping, mtr  int64 // probes of a
	started    time.Time
	pingPosted int
}

func postResult(t *testing.T, conn *testenv.AgentConn, pd protocol.ProbeData) {
	t.Helper()
	body, _ := json.Marshal(pd)
	if m := conn.MustAsk(protocol.EventProbePost, body); string(m.Body) != protocol.ReplyOK {
		t.Fatalf("probe_post answered %s %q", m.Event, m.Body)
	}
}

func newIngestFixture(t *testing.T, env *testenv.Env) *ingestFixture {
	f := &ingestFixture{env: env, owner: env.NewUser(), started: time.Now().UTC().Add(-time.Second)}
	f.ws = env.NewWorkspace(f.owner, "data")
	f.a = env.NewAgent(f.owner.Token, f.ws, "a")
	f.b = env.NewAgent(f.owner.Token, f.ws, "b")
	env.Bootstrap(&f.a)
	env.Bootstrap(&f.b)
	f.ping = num(t, env.CreateProbe(f.owner.Token, f.a, map[string]any{"type": "PING", "targets": []string{"192.0.2.1"}}), "id")
	f.mtr = num(t, env.CreateProbe(f.owner.Token, f.a, map[string]any{"type": "MTR", "targets": []string{"192.0.2.1"}}), "id")
	conn := env.ConnectAgent(f.a)
	base := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	for i := 0; i < 5; i++ {
		postResult(t, conn, protocol.ProbeData{ProbeID: f.ping, Type: "PING", Target: "192.0.2.1", CreatedAt: base.Add(time.Duration(i) * time.Minute),
			Triggered: i == 4, TriggeredReason: map[bool]string{true: "loss"}[i == 4],
			Payload: json.RawMessage(fmt.Sprintf(`{"packets_sent":10,"packets_recv":%d,"packet_loss":%d,"avg_rtt":%d,"min_rtt":1000000,"max_rtt":90000000,"std_dev_rtt":100000}`, 10-i, i*10, (i+1)*10_000_000))})
		f.pingPosted++
	}
	postResult(t, conn, protocol.ProbeData{ProbeID: f.mtr, Type: "MTR", Target: "192.0.2.1", CreatedAt: base.Add(5 * time.Minute),
		Payload: json.RawMessage(`{"report":{"info":{"target":{"ip":"192.0.2.1","hostname":"x"}},"hops":[{"ttl":1,"hosts":[{"ip":"10.0.0.1","hostname":"gw"}],"loss_pct":"0.0","sent":5,"recv":5,"last":"1.2","avg":"1.1","best":"0.9","worst":"1.5","stddev":"0.2"},{"ttl":2,"hosts":[{"ip":"192.0.2.1","hostname":"x"}],"loss_pct":"20.0","sent":5,"recv":4,"last":"9.0","avg":"8.5","best":"8.0","worst":"9.9","stddev":"0.7"}]}}`)})
	postResult(t, conn, protocol.ProbeData{Type: "NETINFO", CreatedAt: base.Add(6 * time.Minute),
		Payload: json.RawMessage(`{"local_address":"10.0.0.2","default_gateway":"10.0.0.1","public_address":"203.0.113.9","interfaces":[],"routes":[]}`)})
	return f
}

// TestProbeDataQueries runs on every probe-data store: a deployed-style
// agent (the neffos client) posts results that every query endpoint finds.
func TestProbeDataQueries(t *testing.T) {
	testenv.ForEachProbeDataBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newIngestFixture(t, env)
		get := func(path string) []map[string]any {
			return listOf(t, env.Call("GET", wsPath(f.ws, path), f.owner.Token, nil, http.StatusOK))
		}
		rows := get("probe-data/find?type=PING")
		if len(rows) != f.pingPosted {
			t.Fatalf("find type=PING returned %d rows, want %d", len(rows), f.pingPosted)
		}
		wantKeys(t, "ProbeData", rows[0], probeDataFields)
		if !(num(t, rows[0], "id") > num(t, rows[1], "id")) || rows[0]["triggered"] != true {
			t.Errorf("find is not newest first: %v", rows[:2])
		}
		if asc := get("probe-data/find?type=PING&asc=true&limit=2"); len(asc) != 2 || asc[0]["triggered"] != false {
			t.Errorf("asc&limit=2: %v", asc)
		}
		if n := len(get("probe-data/find?triggered=true")); n != 1 {
			t.Errorf("triggered=true: %d rows", n)
		}
		if n := len(get(fmt.Sprintf("probe-data/find?probeId=%d", f.mtr))); n != 1 {
			t.Errorf("probeId filter: %d rows", n)
		}
		if n := len(get("probe-data/find?targetPrefix=192.0.2.")); n != f.pingPosted+1 {
			t.Errorf("targetPrefix: %d rows", n)
		}
		if n := len(get(fmt.Sprintf("probe-data/find?agentId=%d", f.b.ID))); n != 0 {
			t.Errorf("agentId of a silent agent: %d rows", n)
		}
		from := f.started.Add(-10 * time.Minute).Add(150 * time.Second).Unix()
		if n := len(get(fmt.Sprintf("probe-data/find?type=PING&from=%d", from))); n != 2 {
			t.Errorf("from (Unix seconds): %d rows, want 2", n)
		}
		if n := len(get(fmt.Sprintf("probe-data/probes/%d/data?limit=3", f.ping))); n != 3 {
			t.Errorf("probe data limit 3: %d rows", n)
		}
		latest := env.Call("GET", wsPath(f.ws, fmt.Sprintf("probe-data/latest?type=PING&agentId=%d", f.a.ID)), f.owner.Token, nil, http.StatusOK).Map(t)
		if latest["triggered"] != true {
			t.Errorf("latest is not the newest: %v", latest)
		}
		target := env.Call("GET", wsPath(f.ws, "probe-data/by-target/data?target=192.0.2.1&latestOnly=true"), f.owner.Token, nil, http.StatusOK).Map(t)
		if data, _ := target["data"].([]any); target["target"] != "192.0.2.1" || len(data) != 2 {
			t.Errorf("by-target latestOnly: %v", target)
		}
		netinfo := env.Call("GET", f.a.Path("netinfo"), f.owner.Token, nil, http.StatusOK).Map(t)
		if p, _ := netinfo["payload"].(map[string]any); p["public_address"] != "203.0.113.9" {
			t.Errorf("netinfo: %v", netinfo)
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: f.b.Path("sysinfo"), Token: f.owner.Token}), http.StatusNotFound)

		// Aggregates: one bucket per (bucket, reporting agent, type).
		agg := env.Call("GET", wsPath(f.ws, fmt.Sprintf("probe-data/probes/%d/data?aggregate=3600&from=%d", f.ping, f.started.Add(-time.Hour).Unix())), f.owner.Token, nil, http.StatusOK).Map(t)
		buckets, _ := agg["data"].([]any)
		var count float64
		for _, b := range buckets {
			count += b.(map[string]any)["count"].(float64)
		}
		if count != float64(f.pingPosted) {
			t.Errorf("aggregate buckets count %v rows, want %d: %v", count, f.pingPosted, agg)
		}

		// Bad input.
		for _, q := range []string{"probe-data/find?type=NOPE", "probe-data/find?limit=0", "probe-data/find?from=yesterday",
			"probe-data/find?probeId=x", "probe-data/latest?type=PING", fmt.Sprintf("probe-data/probes/%d/data?aggregate=0", f.ping)} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(f.ws, q), Token: f.owner.Token}), http.StatusBadRequest)
		}
	})
}

func TestProbeDataNeverCrossesWorkspaces(t *testing.T) {
	testenv.ForEachProbeDataBackend(t, func(t *testing.T, env *testenv.Env) {
		f := newIngestFixture(t, env)
		other := env.NewUser()
		mine := env.NewWorkspace(other, "mine")
		for _, path := range []string{
			"probe-data/find",
			fmt.Sprintf("probe-data/find?probeId=%d", f.ping),
			fmt.Sprintf("probe-data/find?agentId=%d", f.a.ID),
			fmt.Sprintf("probe-data/find?probeAgentId=%d", f.a.ID),
			"probe-data/find?targetPrefix=192",
			"probe-data/by-target/data?target=192.0.2.1",
		} {
			if rows := listOf(t, env.Call("GET", wsPath(mine, path), other.Token, nil, http.StatusOK)); len(rows) != 0 {
				t.Errorf("%s under another workspace returned %d rows", path, len(rows))
			}
		}
		for _, path := range []string{
			wsPath(mine, fmt.Sprintf("probe-data/probes/%d/data", f.ping)),
			wsPath(mine, fmt.Sprintf("probe-data/probes/%d/similar?latest=true", f.ping)),
			wsPath(mine, fmt.Sprintf("probe-data/latest?type=PING&agentId=%d", f.a.ID)),
			fmt.Sprintf("/workspaces/%d/agents/%d/netinfo", mine, f.a.ID),
			wsPath(f.ws, "probe-data/find"), // not a member at all
		} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: path, Token: other.Token}), http.StatusNotFound)
		}
	})
}
