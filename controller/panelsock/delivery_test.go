package panelsock_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// testDelivery: a result posted by an agent reaches the subscribers of its
// workspace (probe 0) and of its probe within 5 s, and not those of
// another probe.
func testDelivery(t *testing.T, env *testenv.Env) {
	s := newSite(t, env)
	other := s.addProbe(t, "192.0.2.2")
	all, one, elsewhere := env.ConnectPanel(s.owner.Token), env.ConnectPanel(s.owner.Token), env.ConnectPanel(s.owner.Token)
	all.Subscribe(s.ws, 0)
	one.Subscribe(s.ws, s.probe)
	elsewhere.Subscribe(s.ws, other)

	uid := s.post(t, s.probe, 0)
	for name, c := range map[string]*testenv.PanelConn{"probe_id 0": all, fmt.Sprintf("probe_id %d", s.probe): one} {
		m, _ := c.WaitFor("probe_data", 5*time.Second, isResult(uid))
		data := m["data"].(map[string]any)
		if m["workspace_id"] != float64(s.ws) || m["probe_id"] != float64(s.probe) || m["agent_id"] != float64(s.agent.ID) ||
			m["probe_type"] != "PING" || data["probe_id"] != float64(s.probe) || data["agent_id"] != float64(s.agent.ID) ||
			data["type"] != "PING" || data["target"] != "192.0.2.1" || data["id"] == nil || data["received_at"] == nil {
			t.Errorf("%s: probe_data %v", name, m)
		}
	}
	expectNothingBefore(t, elsewhere, func() string { return s.post(t, other, 0) },
		func(m map[string]any) bool { return m["probe_id"] == float64(s.probe) })

	// Unsubscribing stops delivery; the other subscription keeps going.
	one.Subscribe(s.ws, other)
	one.Send(map[string]any{"type": "unsubscribe", "workspace_id": s.ws, "probe_id": s.probe})
	s.post(t, s.probe, 0)
	expectNothingBefore(t, one, func() string { return s.post(t, other, 0) },
		func(m map[string]any) bool { return m["probe_id"] == float64(s.probe) })
}

// testIsolation: a non-member's subscribe is refused and nothing of that
// workspace ever reaches it; two workspaces never see each other's data.
func testIsolation(t *testing.T, env *testenv.Env) {
	a, b := newSite(t, env), newSite(t, env)
	ca, cb := env.ConnectPanel(a.owner.Token), env.ConnectPanel(b.owner.Token)
	ca.Subscribe(a.ws, 0)
	cb.Subscribe(b.ws, 0)

	cb.Send(map[string]any{"type": "subscribe", "workspace_id": a.ws, "probe_id": 0})
	if m, _ := cb.WaitFor("error", 5*time.Second, nil); m["workspace_id"] != float64(a.ws) {
		t.Errorf("non-member subscribe: %v", m)
	}
	cb.Send(map[string]any{"type": "subscribe", "workspace_id": b.ws, "probe_id": a.probe})
	if m, _ := cb.WaitFor("error", 5*time.Second, nil); m["workspace_id"] != float64(b.ws) {
		t.Errorf("subscribe to another workspace's probe: %v", m)
	}
	a.post(t, a.probe, 0)
	b.post(t, b.probe, 0)
	expectNothingBefore(t, cb, func() string { return b.post(t, b.probe, 0) }, ofWorkspace(a.ws))
	expectNothingBefore(t, ca, func() string { return a.post(t, a.probe, 0) }, ofWorkspace(b.ws))
}

// testBadMessages: every malformed message gets an error reply and the
// connection stays usable.
func testBadMessages(t *testing.T, env *testenv.Env) {
	s := newSite(t, env)
	c := env.ConnectPanel(s.owner.Token)
	for _, msg := range []any{
		"not json",
		map[string]any{"type": "dance"},
		map[string]any{"type": "subscribe"},
		map[string]any{"type": "subscribe", "workspace_id": s.ws, "probe_id": -1},
		map[string]any{"type": "subscribe", "workspace_id": "one"},
		map[string]any{"type": "unsubscribe", "workspace_id": s.ws, "probe_id": 0},
	} {
		c.Send(msg)
		if m, err := c.Next(5 * time.Second); err != nil || m["type"] != "error" || m["error"] == "" {
			t.Errorf("%v: got %v, %v; want an error message", msg, m, err)
		}
	}
	c.Subscribe(s.ws, 0)
}

// testMemberRemoved: removing a member ends their subscription at once
// (the API announces the write), and nothing more of the workspace arrives.
func testMemberRemoved(t *testing.T, env *testenv.Env) {
	s, own := newSite(t, env), newSite(t, env)
	memberID := env.AddMember(s.owner, s.ws, own.owner, "VIEWER")
	c := env.ConnectPanel(own.owner.Token)
	c.Subscribe(s.ws, 0)
	c.Subscribe(own.ws, 0)
	uid := s.post(t, s.probe, 0)
	c.WaitFor("probe_data", 5*time.Second, isResult(uid))

	env.Call(http.MethodDelete, fmt.Sprintf("/workspaces/%d/members/%d", s.ws, memberID), s.owner.Token, nil, http.StatusOK)
	c.WaitFor("error", 5*time.Second, ofWorkspace(s.ws))
	s.post(t, s.probe, 0)
	expectNothingBefore(t, c, func() string { return own.post(t, own.probe, 0) }, ofWorkspace(s.ws))
}

// testWorkspaceDeleted: deleting a workspace ends its subscriptions.
func testWorkspaceDeleted(t *testing.T, env *testenv.Env) {
	s := newSite(t, env)
	c := env.ConnectPanel(s.owner.Token)
	c.Subscribe(s.ws, 0)
	env.Call(http.MethodDelete, fmt.Sprintf("/workspaces/%d", s.ws), s.owner.Token, nil, http.StatusOK)
	c.WaitFor("error", 5*time.Second, ofWorkspace(s.ws))
	c.Send(map[string]any{"type": "subscribe", "workspace_id": s.ws, "probe_id": 0})
	c.WaitFor("error", 5*time.Second, ofWorkspace(s.ws))
}

// testSpeedtestUpdate: queueing a speed test reaches the workspace's panels.
func testSpeedtestUpdate(t *testing.T, env *testenv.Env) {
	s := newSite(t, env)
	c := env.ConnectPanel(s.owner.Token)
	c.Subscribe(s.ws, s.probe) // a probe subscription still gets workspace-wide updates
	item := env.Call(http.MethodPost, s.agent.Path("speedtest-queue"), s.owner.Token, map[string]any{"server_id": "1234"}, http.StatusCreated).Map(t)
	m, _ := c.WaitFor("speedtest_update", 5*time.Second, nil)
	if m["workspace_id"] != float64(s.ws) || m["agent_id"] != float64(s.agent.ID) || m["queue_id"] != item["id"] || m["status"] != "pending" {
		t.Errorf("speedtest_update %v for queue item %v", m, item)
	}
}

// testSlowClientDropped: a client that never reads is dropped once its
// socket buffers and its backlog are full, while a reading client of the
// same workspace gets every result. Loopback sockets absorb a few MiB, so
// the results carry padding.
func testSlowClientDropped(t *testing.T, env *testenv.Env) {
	const results, padding, posters = 600, 20 << 10, 10
	s := newSite(t, env)
	slow, fast := env.ConnectPanel(s.owner.Token), env.ConnectPanel(s.owner.Token)
	slow.Subscribe(s.ws, 0)
	fast.Subscribe(s.ws, 0)

	got := make(chan error, 1)
	go func() { got <- countProbeData(fast, results) }()
	var wg sync.WaitGroup
	errs := make(chan error, results)
	for i := range posters {
		poster := s.withAgent(t, fmt.Sprintf("poster %d", i))
		wg.Go(func() {
			for range results / posters {
				if _, err := poster.send(poster.probe, padding); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	read := 0
	for {
		if _, err := slow.Next(10 * time.Second); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("slow client still connected after reading %d messages", read)
			}
			break
		}
		read++
	}
	t.Logf("the slow client was dropped after %d of %d messages", read, results)
	if read >= results {
		t.Errorf("slow client received all %d results; it should have been dropped", read)
	}
}

// countProbeData reads until n probe_data messages have arrived, cheaply,
// so the reader keeps up even on a loaded machine.
func countProbeData(c *testenv.PanelConn, n int) error {
	prefix := []byte(`{"type":"probe_data"`)
	for seen := 0; seen < n; {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, data, err := c.WS.Read(ctx)
		cancel()
		if err != nil {
			return fmt.Errorf("reading client after %d results: %w", seen, err)
		}
		if bytes.HasPrefix(data, prefix) {
			seen++
		}
	}
	return nil
}

// testUnresponsiveClosed: the server pings; a client that does not answer
// (it never reads, so it never sends a pong) is closed, one that reads
// stays.
func testUnresponsiveClosed(t *testing.T, env *testenv.Env) {
	u := env.NewUser()
	silent, alive := env.ConnectPanel(u.Token), env.ConnectPanel(u.Token)
	pongs := make(chan map[string]any, 1)
	go func() {
		for {
			m, err := alive.Next(time.Minute)
			if err != nil {
				close(pongs)
				return
			}
			pongs <- m
		}
	}()
	time.Sleep(2 * time.Second) // several ping intervals
	alive.Send(map[string]any{"type": "ping"})
	if m, ok := <-pongs; !ok || m["type"] != "pong" {
		t.Errorf("reading client: got %v, open %v; want pong", m, ok)
	}
	if _, err := silent.Next(5 * time.Second); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent client: read %v; want the connection closed", err)
	}
}
