package agentsock_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// rawConn speaks to the agent socket frame by frame, for the framing edge
// cases the neffos client never produces. A background reader collects
// frames, because a cancelled Read closes a coder/websocket connection.
type rawConn struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan string
}

func dialRaw(t *testing.T, env *testenv.Env, a testenv.Agent) *rawConn {
	t.Helper()
	h := http.Header{}
	h.Set("X-Workspace-ID", strconv.FormatInt(a.WorkspaceID, 10))
	h.Set("X-Agent-ID", strconv.FormatInt(a.ID, 10))
	h.Set("X-Agent-PSK", a.PSK)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, env.WSURL(), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	c := &rawConn{t: t, ws: ws, frames: make(chan string, 64)}
	go func() {
		defer close(c.frames)
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			c.frames <- string(b)
		}
	}()
	return c
}

func (c *rawConn) send(frame string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		c.t.Fatalf("send %q: %v", frame, err)
	}
}

// next returns the next frame, or "" after timeout or when the connection
// has closed.
func (c *rawConn) next(timeout time.Duration) string {
	select {
	case f := <-c.frames:
		return f
	case <-time.After(timeout):
		return ""
	}
}

func (c *rawConn) expect(want string) {
	c.t.Helper()
	if got := c.next(5 * time.Second); got != want {
		c.t.Fatalf("got frame %q, want %q", got, want)
	}
}

func TestRawFraming(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite)
	f := newFleet(t, env, 1)
	c := dialRaw(t, env, f.agents[0])

	// The server says nothing before the client's M, and frames sent before
	// the M are processed after the handshake.
	c.send("$1;agent;;_OnNamespaceConnect;0;0;")
	if got := c.next(300 * time.Millisecond); got != "" {
		t.Fatalf("server sent %q before the client's M", got)
	}
	c.send("M")
	if ack := c.next(5 * time.Second); !strings.HasPrefix(ack, "A") || len(ack) < 2 {
		t.Fatalf("handshake answer %q, want A<id>", ack)
	}
	c.expect("$1;;;;;;")

	c.send("$2;nope;;_OnNamespaceConnect;0;0;")
	c.expect("$2;nope;;_OnNamespaceConnect;1;0;bad namespace")

	// Malformed frames and unknown events are dropped; the connection lives on.
	c.send("garbage without separators")
	c.send(";agent;;no_such_event;0;0;{}")
	c.send("$3;agent;;ping;0;0;{}")
	c.expect("$3;agent;;pong;0;0;{\"ok\":true}")

	// Fire-and-forget messages (deployed agents) get fire-and-forget replies.
	c.send(";agent;;ping;0;0;{}")
	c.expect(";agent;;pong;0;0;{\"ok\":true}")

	// A handler failure is echoed back as an error, with the event.
	c.send("$4;agent;;version;0;0;not json")
	if got := c.next(5 * time.Second); !strings.HasPrefix(got, "$4;agent;;version;1;0;") {
		t.Fatalf("failed handler answered %q, want an error echo", got)
	}

	// After the client disconnects its namespace, its events are ignored.
	c.send("$5;agent;;_OnNamespaceDisconnect;0;0;")
	c.expect("$5;;;;;;")
	c.send("$6;agent;;ping;0;0;{}")
	if got := c.next(300 * time.Millisecond); got != "" {
		t.Fatalf("event after namespace disconnect answered %q", got)
	}
}

func TestOversizedFrameClosesConnection(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite)
	f := newFleet(t, env, 1)
	c := dialRaw(t, env, f.agents[0])
	c.send("M")
	c.next(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.ws.Write(ctx, websocket.MessageText, []byte(";agent;;probe_post;0;0;"+strings.Repeat("x", 600<<10)))
	if got := c.next(5 * time.Second); got != "" {
		t.Fatalf("frame over 512 KiB answered %q instead of closing", got)
	}
}
