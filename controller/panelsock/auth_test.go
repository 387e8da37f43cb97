package panelsock_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// pingPong checks the connection answers the client's ping message.
func pingPong(t *testing.T, c *testenv.PanelConn) {
	t.Helper()
	c.Send(map[string]any{"type": "ping"})
	if m, err := c.Next(5 * time.Second); err != nil || m["type"] != "pong" {
		t.Fatalf("ping: got %v, %v; want pong", m, err)
	}
}

func testAuthVariants(t *testing.T, env *testenv.Env) {
	u := env.NewUser()
	cases := []struct {
		name     string
		query    string
		opts     *websocket.DialOptions
		protocol string
	}{
		{"authorization header", "", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + u.Token}}}, ""},
		{"query string", "?token=" + u.Token, nil, ""},
		{"subprotocol", "", &websocket.DialOptions{Subprotocols: []string{"bearer", u.Token}}, "bearer"},
	}
	for _, c := range cases {
		conn, resp, err := env.DialPanel(c.query, c.opts)
		if err != nil {
			t.Fatalf("%s: dial: %v (response %v)", c.name, err, resp)
		}
		if got := conn.WS.Subprotocol(); got != c.protocol {
			t.Errorf("%s: subprotocol %q, want %q", c.name, got, c.protocol)
		}
		pingPong(t, conn)
	}
}

func testRefusedBeforeUpgrade(t *testing.T, env *testenv.Env) {
	u := env.NewUser()
	revoked := env.NewUser()
	env.Call("POST", "/auth/logout", revoked.Token, nil, http.StatusOK)
	cases := []struct {
		name   string
		query  string
		opts   *websocket.DialOptions
		status int
	}{
		{"no token", "", nil, http.StatusUnauthorized},
		{"bad token", "?token=not-a-jwt", nil, http.StatusUnauthorized},
		{"bad header token", "", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer x.y.z"}}}, http.StatusUnauthorized},
		{"bad subprotocol token", "", &websocket.DialOptions{Subprotocols: []string{"bearer", "x.y.z"}}, http.StatusUnauthorized},
		{"logged-out token", "?token=" + revoked.Token, nil, http.StatusUnauthorized},
		{"foreign origin", "?token=" + u.Token, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}}, http.StatusForbidden},
	}
	for _, c := range cases {
		_, resp, err := env.DialPanel(c.query, c.opts)
		if err == nil || resp == nil || resp.StatusCode != c.status {
			t.Errorf("%s: err %v, response %v; want HTTP %d", c.name, err, resp, c.status)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Errorf("%s: body %q is not a JSON error", c.name, body)
		}
	}
	plain := env.Do(testenv.Request{Method: http.MethodGet, Path: "/ws/panel?token=" + u.Token})
	var e struct {
		Error string `json:"error"`
	}
	if plain.Status != http.StatusUpgradeRequired || json.Unmarshal(plain.Body, &e) != nil || e.Error == "" {
		t.Errorf("plain GET: %d %s; want 426 with a JSON error", plain.Status, plain.Body)
	}

	allowed := &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {allowedOrigin}}}
	conn, resp, err := env.DialPanel("?token="+u.Token, allowed)
	if err != nil {
		t.Fatalf("allowed origin refused: %v (%v)", err, resp)
	}
	pingPong(t, conn)
}

// testSessionEndCloses: a token revoked while connected (logout is not a
// workspace write, so only the periodic re-check sees it) closes the socket.
func testSessionEndCloses(t *testing.T, env *testenv.Env) {
	u := env.NewUser()
	conn := env.ConnectPanel(u.Token)
	pingPong(t, conn)
	env.Call("POST", "/auth/logout", u.Token, nil, http.StatusOK)
	_, err := conn.Next(10 * time.Second)
	if status := websocket.CloseStatus(err); status != websocket.StatusPolicyViolation {
		t.Fatalf("after logout: read error %v (close status %d), want policy violation", err, status)
	}
}
