package agentsock_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

// A peer that stops answering pings (it never reads again, so its
// WebSocket library never answers them) is dropped.
func TestAgentThatStopsAnsweringPingsIsDropped(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite, func(c *config.Config) {
		c.AgentTuning.Ping = 200 * time.Millisecond
	})
	f := newFleet(t, env, 1)
	a := f.agents[0]
	h := http.Header{}
	for k, v := range a.Headers() {
		h.Set(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, env.WSURL(), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte("M")); err != nil {
		t.Fatal(err)
	}
	if _, ack, err := ws.Read(ctx); err != nil || ack[0] != 'A' {
		t.Fatalf("handshake: %q %v", ack, err)
	}
	if !connected(t, f, a.ID) {
		t.Fatal("agent not shown connected right after its handshake")
	}
	// From now on this client reads nothing, so pings go unanswered.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if !connected(t, f, a.ID) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("an agent that stopped answering pings is still connected after 5 s")
}

// connected reads the agent's live-connection flag from the network map.
func connected(t *testing.T, f *fleet, agentID int64) bool {
	t.Helper()
	var m struct {
		Nodes []struct {
			AgentID int64 `json:"agent_id"`
			Online  bool  `json:"online"`
		} `json:"nodes"`
	}
	f.env.Call("GET", fmt.Sprintf("/workspaces/%d/network-map", f.ws), f.owner.Token, nil, http.StatusOK).JSON(t, &m)
	for _, n := range m.Nodes {
		if n.AgentID == agentID {
			return n.Online
		}
	}
	t.Fatalf("agent %d missing from the network map", agentID)
	return false
}
