package panelsock_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
)

// site is a workspace with an owner, a connected agent and a PING probe.
type site struct {
	env   *testenv.Env
	owner testenv.User
	ws    int64
	agent testenv.Agent
	conn  *testenv.AgentConn
	probe int64
}

func newSite(t *testing.T, env *testenv.Env) site {
	t.Helper()
	env = env.For(t)
	owner := env.NewUser()
	return site{env: env, owner: owner, ws: env.NewWorkspace(owner, "site")}.withAgent(t, "office")
}

// withAgent is the site with another connected agent and its PING probe.
func (s site) withAgent(t *testing.T, name string) site {
	t.Helper()
	s.agent = s.env.NewAgent(s.owner.Token, s.ws, name)
	s.env.Bootstrap(&s.agent)
	s.conn = s.env.ConnectAgent(s.agent)
	s.probe = s.addProbe(t, "192.0.2.1")
	return s
}

// addProbe creates another PING probe of the site's agent.
func (s site) addProbe(t *testing.T, target string) int64 {
	t.Helper()
	p := s.env.For(t).CreateProbe(s.owner.Token, s.agent, map[string]any{"type": "PING", "targets": []string{target}})
	return int64(p["id"].(float64))
}

var resultSeq atomic.Int64

// post sends one PING result of probeID through the agent socket, with
// padding extra bytes in its payload, and waits for the acknowledgement.
// It returns the result's uid.
func (s site) post(t *testing.T, probeID int64, padding int) string {
	t.Helper()
	uid, err := s.send(probeID, padding)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// send is post for goroutines other than the test's. One agent must not
// post concurrently: the neffos client names its Asks by the clock's
// nanoseconds, and two in the same nanosecond lose one reply.
func (s site) send(probeID int64, padding int) (string, error) {
	uid := fmt.Sprintf("r%d", resultSeq.Add(1))
	payload := map[string]any{"packets_sent": 10, "packets_recv": 10, "packet_loss": 0, "avg_rtt": 12_000_000,
		"min_rtt": 10_000_000, "max_rtt": 15_000_000, "std_dev_rtt": 1_000_000, "addr": "192.0.2.1", "note": uid}
	if padding > 0 {
		payload["padding"] = strings.Repeat("x", padding)
	}
	body, err := json.Marshal(map[string]any{"probe_id": probeID, "type": "PING", "target": "192.0.2.1",
		"created_at": time.Now().UTC(), "uid": uid, "payload": payload})
	if err != nil {
		return "", err
	}
	reply, err := s.conn.Ask(protocol.EventProbePost, body)
	if err != nil {
		return "", fmt.Errorf("probe_post: %w", err)
	}
	if reply.Event != protocol.EventProbePostOK {
		return "", fmt.Errorf("probe_post answered %s %s", reply.Event, reply.Body)
	}
	return uid, nil
}

// isResult matches the probe_data message of the result with this uid.
func isResult(uid string) func(map[string]any) bool {
	return func(m map[string]any) bool {
		data, _ := m["data"].(map[string]any)
		payload, _ := data["payload"].(map[string]any)
		return payload["note"] == uid
	}
}

// expectNothingBefore sends a marker (it returns the marker result's uid)
// and fails if a message matching bad arrives on c before it.
func expectNothingBefore(t *testing.T, c *testenv.PanelConn, marker func() string, bad func(map[string]any) bool) {
	t.Helper()
	uid := marker()
	_, before := c.WaitFor("probe_data", 5*time.Second, isResult(uid))
	for _, m := range before {
		if bad(m) {
			t.Errorf("received %v", m)
		}
	}
}

// ofWorkspace matches the messages of a workspace.
func ofWorkspace(ws int64) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["workspace_id"] == float64(ws) }
}
