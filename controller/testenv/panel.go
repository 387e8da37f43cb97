package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/netwatcher/netwatcher/controller/config"
)

// WithPanelTuning shortens the panel socket's and network map's clocks
// (and buffers) for tests.
func WithPanelTuning(p config.PanelTuning) Option {
	return func(c *config.Config) { c.PanelTuning = p }
}

// PanelURL is the controller's panel socket URL plus query (e.g. "?token=…").
func (e *Env) PanelURL(query string) string {
	return "ws" + strings.TrimPrefix(e.URL, "http") + "/ws/panel" + query
}

// PanelConn is a browser-style client of /ws/panel.
type PanelConn struct {
	WS  *websocket.Conn
	env *Env
}

// DialPanel dials /ws/panel with the query and options as given; a refused
// upgrade returns the HTTP response with the error.
func (e *Env) DialPanel(query string, opts *websocket.DialOptions) (*PanelConn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, e.PanelURL(query), opts)
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(1 << 20)
	e.t.Cleanup(func() { ws.CloseNow() })
	return &PanelConn{WS: ws, env: e}, resp, nil
}

// ConnectPanel connects as a browser does, with the token in the query
// string, and fails the test on error.
func (e *Env) ConnectPanel(token string) *PanelConn {
	e.t.Helper()
	c, resp, err := e.DialPanel("?token="+token, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.t.Fatalf("dial panel socket: %v (HTTP %d)", err, status)
	}
	return c
}

// Send writes one JSON message.
func (c *PanelConn) Send(v any) {
	c.env.t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		c.env.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WS.Write(ctx, websocket.MessageText, data); err != nil {
		c.env.t.Fatalf("panel socket write: %v", err)
	}
}

// Next reads the next message within timeout.
func (c *PanelConn) Next(timeout time.Duration) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, data, err := c.WS.Read(ctx)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("panel message %s: %w", data, err)
	}
	return m, nil
}

// WaitFor reads messages until one of type typ for which match (nil: any)
// holds arrives within timeout; the messages read before it are returned
// too. It fails the test on timeout.
func (c *PanelConn) WaitFor(typ string, timeout time.Duration, match func(map[string]any) bool) (map[string]any, []map[string]any) {
	c.env.t.Helper()
	deadline := time.Now().Add(timeout)
	var skipped []map[string]any
	for {
		m, err := c.Next(time.Until(deadline))
		if err != nil {
			c.env.t.Fatalf("waiting for a %s message: %v (read before: %v)", typ, err, skipped)
		}
		if m["type"] == typ && (match == nil || match(m)) {
			return m, skipped
		}
		skipped = append(skipped, m)
	}
}

// Subscribe subscribes and waits for the "subscribed" answer, failing the
// test on an error message instead.
func (c *PanelConn) Subscribe(workspaceID, probeID int64) {
	c.env.t.Helper()
	c.Send(map[string]any{"type": "subscribe", "workspace_id": workspaceID, "probe_id": probeID})
	for {
		m, err := c.Next(10 * time.Second)
		switch {
		case err != nil:
			c.env.t.Fatalf("subscribe to %d/%d: %v", workspaceID, probeID, err)
		case m["type"] == "error":
			c.env.t.Fatalf("subscribe to %d/%d: %v", workspaceID, probeID, m["error"])
		case m["type"] == "subscribed":
			if m["workspace_id"] != float64(workspaceID) || m["probe_id"] != float64(probeID) {
				c.env.t.Fatalf("subscribed to %v/%v, want %d/%d", m["workspace_id"], m["probe_id"], workspaceID, probeID)
			}
			return
		}
	}
}
