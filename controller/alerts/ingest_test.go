package alerts_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/alerts/webhook"
	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
)

// testdata holds real payloads, as deployed agents send them (RTTs in
// nanoseconds, MTR hop statistics as strings).
var testdata = filepath.Join("..", "..", "protocol", "metrics", "testdata")

// post sends one result over the agent socket with the real neffos client
// and waits for its acknowledgement (sent after the batch commits).
func post(t *testing.T, conn *testenv.AgentConn, probeID int64, typ, target, file string) {
	t.Helper()
	payload, err := os.ReadFile(filepath.Join(testdata, file))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(protocol.ProbeData{ProbeID: probeID, Type: typ, Target: target,
		CreatedAt: time.Now().UTC(), Payload: payload})
	if m := conn.MustAsk(protocol.EventProbePost, body); m.Event != protocol.EventProbePostOK {
		t.Fatalf("probe_post %s answered %s %s", file, m.Event, m.Body)
	}
}

// TestEveryMetricFromIngestedResults: every metric of METRICS.md's table,
// read from results ingested through the agent socket, fires an alert
// whose value is the metric in its unit.
func TestEveryMetricFromIngestedResults(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Metrics")
		ag := env.NewAgent(owner.Token, ws, "edge")
		env.Bootstrap(&ag)
		silent := env.NewAgent(owner.Token, ws, "silent") // never connects
		probe := func(typ string, targets ...string) int64 {
			return int64(env.CreateProbe(owner.Token, ag, map[string]any{"type": typ, "targets": targets})["id"].(float64))
		}
		ping, sim, mtr := probe("PING", "192.0.2.1"), probe("TRAFFICSIM", "192.0.2.5:5000"), probe("MTR", "192.0.2.2")
		dns, web, tls := probe("DNS", "example.com"), probe("HTTP", "https://example.com/health"), probe("TLS", "example.com:443")

		cases := []struct {
			metric  string
			probeID int64 // 0: scoped to the reporting agent instead
			agentID int64
			op      string
			want    float64
		}{
			{"packet_loss", ping, 0, "gte", 10},
			{"latency", ping, 0, "gte", 14.502311}, // avg_rtt 14502311 ns
			{"jitter", ping, 0, "gte", 2},          // ping.json has none: ignored until ping_with_jitter.json
			{"mos", ping, 0, "gte", 4.392231829875},
			{"packet_loss", sim, 0, "gte", 1},
			{"latency", sim, 0, "gte", 80},
			{"jitter", sim, 0, "gte", 10},
			{"mos", sim, 0, "gte", 4.285599380875},
			{"end_hop_loss", mtr, 0, "gte", 20}, // "20.00"
			{"end_hop_latency", mtr, 0, "gte", 14.73},
			{"hop_count", mtr, 0, "gte", 5},
			{"route_change", mtr, 0, "eq", 1}, // the second trace takes another path
			{"dns_query_time", dns, 0, "gte", 12.345},
			{"dns_failure", dns, 0, "eq", 1}, // NXDOMAIN
			{"http_status", web, 0, "gte", 200},
			{"http_total_ms", web, 0, "gte", 245.678},
			{"http_ttfb", web, 0, "gte", 180.2},
			{"http_failure", web, 0, "eq", 1}, // the 404
			{"tls_expiry_days", web, 0, "gte", 63},
			{"tls_expiry_days", tls, 0, "gte", 45},
			{"memory_usage", 0, ag.ID, "gte", 37.5},
			{"cpu_usage", 0, ag.ID, "gte", 25}, // from two SYSINFO samples
			{"offline", 0, silent.ID, "gte", 0},
		}
		ruleCase := map[float64]int{}
		for i, c := range cases {
			body := map[string]any{"name": fmt.Sprintf("case %d", i), "metric": c.metric, "operator": c.op, "threshold": -1}
			if c.op == "eq" {
				body["threshold"] = c.want
			}
			if c.probeID != 0 {
				body["probe_id"] = c.probeID
			} else {
				body["agent_id"] = c.agentID
			}
			ruleCase[env.Call("POST", fmt.Sprintf("/workspaces/%d/alert-rules", ws), owner.Token, body, http.StatusCreated).Map(t)["id"].(float64)] = i
		}

		conn := env.ConnectAgent(ag)
		for _, r := range []struct {
			probeID        int64
			typ, target, f string
		}{
			{ping, "PING", "192.0.2.1", "ping.json"}, {ping, "PING", "192.0.2.1", "ping_with_jitter.json"},
			{sim, "TRAFFICSIM", "192.0.2.5:5000", "trafficsim.json"},
			{mtr, "MTR", "192.0.2.2", "mtr.json"}, {mtr, "MTR", "192.0.2.2", "mtr_unreachable_numeric.json"},
			{dns, "DNS", "example.com", "dns.json"}, {dns, "DNS", "example.com", "dns_nxdomain.json"},
			{web, "HTTP", "https://example.com/health", "http.json"}, {web, "HTTP", "https://example.com/health", "http_404.json"},
			{tls, "TLS", "example.com:443", "tls.json"},
			{0, "SYSINFO", "", "sysinfo.json"}, {0, "SYSINFO", "", "sysinfo_later.json"},
		} {
			post(t, conn, r.probeID, r.typ, r.target, r.f)
		}

		var alerts []map[string]any
		deadline := time.Now().Add(10 * time.Second)
		for len(alerts) < len(cases) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			var out struct{ Data []map[string]any }
			env.Call("GET", "/workspaces/alerts?limit=200", owner.Token, nil, http.StatusOK).JSON(t, &out)
			alerts = out.Data
		}
		fired := map[int]float64{}
		for _, a := range alerts {
			fired[ruleCase[a["rule_id"].(float64)]] = a["value"].(float64)
		}
		for i, c := range cases {
			got, ok := fired[i]
			switch {
			case !ok:
				t.Errorf("%s (case %d): no alert", c.metric, i)
			case c.metric == "offline" && got > 1:
				t.Errorf("offline of a just-created agent = %v minutes", got)
			case c.metric != "offline" && math.Abs(got-c.want) > 1e-9:
				t.Errorf("%s (case %d) = %v, want %v", c.metric, i, got, c.want)
			}
		}
		if len(alerts) != len(cases) {
			t.Errorf("%d alerts for %d rules", len(alerts), len(cases))
		}
	}, testenv.WithFastAlerting(50*time.Millisecond))
}

// TestLossyTargetScenario is the acceptance scenario: an operator
// creates a packet-loss rule with a webhook; a lossy target fires exactly
// one signed webhook and one live panel alert; acknowledging keeps it open
// while the loss goes on; when the loss clears it resolves, with a
// "resolved" webhook and panel message.
func TestLossyTargetScenario(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		rc := newReceiver(t, http.StatusOK)
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Ops")
		ag := env.NewAgent(owner.Token, ws, "edge")
		env.Bootstrap(&ag)
		probeID := int64(env.CreateProbe(owner.Token, ag, map[string]any{"type": "PING", "targets": []string{"192.0.2.1"}})["id"].(float64))
		env.Call("POST", fmt.Sprintf("/workspaces/%d/alert-rules", ws), owner.Token, map[string]any{
			"name": "High Packet Loss", "metric": "packet_loss", "operator": ">", "threshold": 5, "severity": "critical",
			"notify_webhook": true, "webhook_url": rc.URL + "/alert", "webhook_secret": "optional-hmac-secret",
		}, http.StatusCreated)
		panel := env.ConnectPanel(owner.Token)
		panel.Subscribe(ws, 0)
		alertWith := func(status string) func(map[string]any) bool {
			return func(m map[string]any) bool { return m["alert"].(map[string]any)["status"] == status }
		}

		conn := env.ConnectAgent(ag)
		for range 3 {
			post(t, conn, probeID, "PING", "192.0.2.1", "ping.json") // 10 % loss
		}
		msg, _ := panel.WaitFor("alert", 10*time.Second, alertWith("active"))
		if msg["workspace_id"] != float64(ws) {
			t.Errorf("panel alert for workspace %v, want %d", msg["workspace_id"], ws)
		}
		id := int64(msg["alert"].(map[string]any)["id"].(float64))
		eventually(t, "the triggered webhook", func() bool { return len(rc.got()) == 1 })

		env.Call("PATCH", fmt.Sprintf("/alerts/%d/acknowledge", id), owner.Token, nil, http.StatusOK)
		panel.WaitFor("alert", 10*time.Second, alertWith("acknowledged"))
		post(t, conn, probeID, "PING", "192.0.2.1", "ping.json")
		post(t, conn, probeID, "PING", "192.0.2.1", "ping_with_jitter.json") // no loss
		panel.WaitFor("alert", 10*time.Second, alertWith("resolved"))
		eventually(t, "the resolved webhook", func() bool { return len(rc.got()) == 2 })

		var events []string
		for _, r := range rc.got() {
			if r.signature != webhook.Sign("optional-hmac-secret", r.body) {
				t.Errorf("bad signature %q", r.signature)
			}
			var body map[string]any
			_ = json.Unmarshal(r.body, &body)
			if int64(body["id"].(float64)) != id {
				t.Errorf("webhook for alert %v, want %d", body["id"], id)
			}
			events = append(events, body["event"].(string))
		}
		if fmt.Sprint(events) != "[triggered resolved]" {
			t.Errorf("webhook events %v, want exactly one triggered then one resolved", events)
		}
		var list struct{ Data []map[string]any }
		env.Call("GET", "/workspaces/alerts", owner.Token, nil, http.StatusOK).JSON(t, &list)
		if len(list.Data) != 1 || list.Data[0]["status"] != "resolved" || list.Data[0]["acknowledged_at"] == nil {
			t.Errorf("alerts after the loss cleared: %v", list.Data)
		}
		if n := env.Call("GET", "/alerts/count", owner.Token, nil, http.StatusOK).Map(t)["count"]; n != 0.0 {
			t.Errorf("active alerts %v, want 0", n)
		}
	}, testenv.WithWebhookDenyNone())
}
