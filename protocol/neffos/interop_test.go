package neffos_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	upstream "github.com/kataras/neffos"

	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// interopMessages avoids an error flag with an empty body: the real neffos
// drops such a flag, so those bytes cannot survive its round trip.
var interopMessages = []neffos.Message{
	{Wait: "$1700000000000000000", Namespace: "agent", Event: neffos.OnNamespaceConnect},
	{Namespace: "agent", Event: "probe_post", Body: []byte(`{"payload":{"x":"a;b"}};;`)},
	{Namespace: "a;b", Room: "r;", Event: ";e;"},
	{Wait: "$42", Namespace: "nope", Event: neffos.OnNamespaceConnect, IsError: true, Body: []byte(neffos.BadNamespace)},
	{Wait: "1700000000000000001", Namespace: "agent", Event: neffos.OnNamespaceDisconnect, IsNoOp: true},
	{Namespace: "agent", Event: "probe_post_ok", IsError: true, Body: []byte("ingest queue full; try later")},
}

func TestOurFramesDecodeWithNeffos(t *testing.T) {
	t.Parallel()
	for _, m := range interopMessages {
		frame := m.Marshal()
		got := upstream.DeserializeMessage(upstream.TextMessage, frame, false, false)
		if got.Namespace != m.Namespace || got.Room != m.Room || got.Event != m.Event {
			t.Errorf("neffos decoded %q as namespace %q room %q event %q", frame, got.Namespace, got.Room, got.Event)
		}
		if m.IsError {
			if got.Err == nil || got.Err.Error() != string(m.Body) {
				t.Errorf("neffos decoded %q with error %v, want %q", frame, got.Err, m.Body)
			}
		} else if got.Err != nil || !bytes.Equal(got.Body, m.Body) {
			t.Errorf("neffos decoded %q with body %q error %v, want body %q", frame, got.Body, got.Err, m.Body)
		}
		// neffos keeps wait and isNoOp private; re-encoding shows it read them as we wrote them.
		if again := got.Serialize(); !bytes.Equal(again, frame) {
			t.Errorf("neffos re-encoded %q as %q", frame, again)
		}
	}
}

func TestNeffosFramesParseWithOurs(t *testing.T) {
	t.Parallel()
	for _, m := range interopMessages {
		sent := upstream.Message{Namespace: m.Namespace, Room: m.Room, Event: m.Event, Body: m.Body}
		if m.IsError {
			sent.Body, sent.Err = nil, errors.New(string(m.Body))
		}
		frame := sent.Serialize()
		got, err := neffos.Parse(frame)
		if err != nil {
			t.Fatalf("Parse(%q): %v", frame, err)
		}
		if got.Namespace != m.Namespace || got.Room != m.Room || got.Event != m.Event ||
			got.IsError != m.IsError || !bytes.Equal(got.Body, m.Body) || got.Wait != "" {
			t.Errorf("Parse(%q) = %+v, want the fields of %+v without wait", frame, got, m)
		}
	}
}

func TestReservedNamesMatchNeffos(t *testing.T) {
	t.Parallel()
	pairs := map[string]string{
		neffos.OnNamespaceConnect:    upstream.OnNamespaceConnect,
		neffos.OnNamespaceConnected:  upstream.OnNamespaceConnected,
		neffos.OnNamespaceDisconnect: upstream.OnNamespaceDisconnect,
		neffos.OnRoomJoin:            upstream.OnRoomJoin,
		neffos.OnRoomJoined:          upstream.OnRoomJoined,
		neffos.OnRoomLeave:           upstream.OnRoomLeave,
		neffos.OnRoomLeft:            upstream.OnRoomLeft,
		neffos.OnAnyEvent:            upstream.OnAnyEvent,
		neffos.OnNativeMessage:       upstream.OnNativeMessage,
		neffos.BadNamespace:          upstream.ErrBadNamespace.Error(),
	}
	for ours, theirs := range pairs {
		if ours != theirs {
			t.Errorf("%q differs from neffos' %q", ours, theirs)
		}
	}
}

// TestRealNeffosClientAgainstOurFraming drives the real neffos client, as
// deployed agents use it, against a server loop built only from this package.
func TestRealNeffosClientAgainstOurFraming(t *testing.T) {
	t.Parallel()
	link := newFrameLink()
	server := newAgentNamespaceServer(link)
	go server.serve(t)

	pushed := make(chan []byte, 1)
	disconnected := make(chan struct{}, 1)
	client := dialTestClient(t, link, upstream.Namespaces{"agent": upstream.Events{
		"probe_get": func(_ *upstream.NSConn, msg upstream.Message) error {
			pushed <- msg.Body
			return nil
		},
		upstream.OnNamespaceDisconnect: func(*upstream.NSConn, upstream.Message) error {
			disconnected <- struct{}{}
			return nil
		},
	}})
	if client.ID != "conn-1" {
		t.Errorf("client ID = %q, want the id of our ServerAck", client.ID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	if _, err := client.Connect(ctx, "nope"); !errors.Is(err, upstream.ErrBadNamespace) {
		t.Errorf("Connect(nope) error = %v, want neffos.ErrBadNamespace", err)
	}
	ns, err := client.Connect(ctx, "agent")
	if err != nil {
		t.Fatalf("Connect(agent): %v", err)
	}

	body := []byte(`{"probe_id":7,"payload":{"note":"a;b;;c"}}`)
	ns.Emit("probe_post", body)
	got := server.next(t)
	if got.Wait != "" || got.Namespace != "agent" || got.Event != "probe_post" || !bytes.Equal(got.Body, body) {
		t.Errorf("server parsed Emit as %+v", got)
	}

	reply, err := ns.Ask(ctx, "probe_post", body)
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if string(reply.Body) != `{"ok":true}` {
		t.Errorf("Ask reply body = %q", reply.Body)
	}
	if asked := server.next(t); !strings.HasPrefix(asked.Wait, "$") {
		t.Errorf("Ask carried wait %q, want a client wait", asked.Wait)
	}

	list := []byte(`[{"id":0,"type":"NETINFO","targets":[],"note":";"}]`)
	link.toClient <- neffos.Message{Namespace: "agent", Event: "probe_get", Body: list}.Marshal()
	select {
	case b := <-pushed:
		if !bytes.Equal(b, list) {
			t.Errorf("client received probe_get body %q", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("client never received the pushed probe_get")
	}

	wait := neffos.ServerWait(time.Now())
	link.toClient <- neffos.Message{Wait: wait, Namespace: "agent", Event: neffos.OnNamespaceDisconnect}.Marshal()
	select {
	case <-disconnected:
	case <-time.After(5 * time.Second):
		t.Fatal("client never saw the server-initiated disconnect")
	}
	if ack := server.nextFrame(t); !bytes.Equal(ack, neffos.EmptyReply(wait)) {
		t.Errorf("client answered the disconnect with %q, want %q", ack, neffos.EmptyReply(wait))
	}
}

func TestRealNeffosClientSeesOurRejection(t *testing.T) {
	t.Parallel()
	link := newFrameLink()
	go func() {
		select {
		case frame := <-link.toServer:
			if neffos.IsClientAck(frame) {
				link.toClient <- neffos.ServerReject(neffos.RejectAgentDeleted)
			}
		case <-link.closed:
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := upstream.Dial(ctx, link.dialer(), "ws://controller/ws/agent", upstream.Namespaces{})
	if err == nil || err.Error() != neffos.RejectAgentDeleted {
		t.Errorf("Dial error = %v, want %q", err, neffos.RejectAgentDeleted)
	}
}

func dialTestClient(t *testing.T, link *frameLink, namespaces upstream.Namespaces) *upstream.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client, err := upstream.Dial(ctx, link.dialer(), "ws://controller/ws/agent", namespaces)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(client.Close)
	return client
}

// agentNamespaceServer is the least a controller does: handshake, namespace
// connect for "agent", and an acknowledged reply to a request that waits.
type agentNamespaceServer struct {
	link   *frameLink
	events chan neffos.Message // parsed probe_post messages
	frames chan []byte         // every other frame, raw
}

func newAgentNamespaceServer(link *frameLink) *agentNamespaceServer {
	return &agentNamespaceServer{link: link, events: make(chan neffos.Message, 8), frames: make(chan []byte, 8)}
}

func (s *agentNamespaceServer) serve(t *testing.T) {
	select {
	case first := <-s.link.toServer:
		if !neffos.IsClientAck(first) {
			t.Errorf("first client frame = %q, want %q", first, neffos.ClientAck)
			return
		}
	case <-s.link.closed:
		return
	}
	s.link.toClient <- neffos.ServerAck("conn-1")
	for {
		var frame []byte
		select {
		case frame = <-s.link.toServer:
		case <-s.link.closed:
			return
		}
		m, err := neffos.Parse(frame)
		if err != nil {
			t.Errorf("Parse(%q): %v", frame, err)
			continue
		}
		switch {
		case m.Event == neffos.OnNamespaceConnect && m.Namespace == "agent":
			s.link.toClient <- neffos.EmptyReply(m.Wait)
		case m.Event == neffos.OnNamespaceConnect:
			s.link.toClient <- neffos.Message{Wait: m.Wait, Namespace: m.Namespace, Event: m.Event, IsError: true, Body: []byte(neffos.BadNamespace)}.Marshal()
		case m.Event == "probe_post":
			if m.Wait != "" {
				s.link.toClient <- neffos.Message{Wait: m.Wait, Namespace: m.Namespace, Event: "probe_post_ok", Body: []byte(`{"ok":true}`)}.Marshal()
			}
			s.events <- m
		default:
			s.frames <- frame
		}
	}
}

func (s *agentNamespaceServer) next(t *testing.T) neffos.Message {
	t.Helper()
	select {
	case m := <-s.events:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("server received no event")
		return neffos.Message{}
	}
}

func (s *agentNamespaceServer) nextFrame(t *testing.T) []byte {
	t.Helper()
	select {
	case f := <-s.frames:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("server received no frame")
		return nil
	}
}

// frameLink carries whole WebSocket text frames between the neffos client and
// the test server in memory, standing in for a real socket.
type frameLink struct {
	toServer  chan []byte
	toClient  chan []byte
	closed    chan struct{}
	closeOnce sync.Once
}

func newFrameLink() *frameLink {
	return &frameLink{toServer: make(chan []byte, 8), toClient: make(chan []byte, 8), closed: make(chan struct{})}
}

func (l *frameLink) dialer() upstream.Dialer {
	return func(context.Context, string) (upstream.Socket, error) { return clientSocket{l}, nil }
}

func (l *frameLink) close() { l.closeOnce.Do(func() { close(l.closed) }) }

// clientSocket is the client's end of a frameLink as a neffos Socket.
type clientSocket struct{ link *frameLink }

func (s clientSocket) NetConn() net.Conn      { return closeOnlyConn{s.link.close} }
func (s clientSocket) Request() *http.Request { return nil }

func (s clientSocket) ReadData(time.Duration) ([]byte, upstream.MessageType, error) {
	select {
	case b := <-s.link.toClient:
		return b, upstream.TextMessage, nil
	case <-s.link.closed:
		return nil, 0, net.ErrClosed
	}
}

func (s clientSocket) WriteText(b []byte, _ time.Duration) error {
	select {
	case s.link.toServer <- bytes.Clone(b):
		return nil
	case <-s.link.closed:
		return net.ErrClosed
	}
}

func (s clientSocket) WriteBinary(b []byte, timeout time.Duration) error {
	return s.WriteText(b, timeout)
}

// closeOnlyConn is what neffos needs of the net.Conn: it only ever closes it.
type closeOnlyConn struct{ close func() }

func (c closeOnlyConn) Close() error                   { c.close(); return nil }
func (closeOnlyConn) Read([]byte) (int, error)         { return 0, net.ErrClosed }
func (closeOnlyConn) Write([]byte) (int, error)        { return 0, net.ErrClosed }
func (closeOnlyConn) LocalAddr() net.Addr              { return nil }
func (closeOnlyConn) RemoteAddr() net.Addr             { return nil }
func (closeOnlyConn) SetDeadline(time.Time) error      { return nil }
func (closeOnlyConn) SetReadDeadline(time.Time) error  { return nil }
func (closeOnlyConn) SetWriteDeadline(time.Time) error { return nil }
