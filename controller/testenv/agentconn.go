package testenv

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kataras/neffos"
	"github.com/kataras/neffos/gobwas"

	"github.com/netwatcher/netwatcher/protocol"
)

// AgentConn is an agent connected to the controller's socket with the real
// neffos client, exactly as deployed agents connect.
type AgentConn struct {
	Client *neffos.Client
	NS     *neffos.NSConn
	env    *Env

	mu       sync.Mutex
	received []neffos.Message // events the controller sent unprompted (or as fire-and-forget replies)
	notify   chan struct{}
}

// WSURL is the controller's agent socket URL.
func (e *Env) WSURL() string { return "ws" + strings.TrimPrefix(e.URL, "http") + "/ws/agent" }

// DialAgent dials the agent socket with a's PSK headers and returns the
// neffos client (or the dial error: handshake rejections arrive here).
func (e *Env) DialAgent(a Agent) (*AgentConn, error) {
	e.t.Helper()
	h := http.Header{}
	h.Set("X-Workspace-ID", strconv.FormatInt(a.WorkspaceID, 10))
	h.Set("X-Agent-ID", strconv.FormatInt(a.ID, 10))
	h.Set("X-Agent-PSK", a.PSK)
	c := &AgentConn{env: e, notify: make(chan struct{}, 1)}
	record := func(_ *neffos.NSConn, m neffos.Message) error {
		c.mu.Lock()
		c.received = append(c.received, m)
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := neffos.Dial(ctx, gobwas.Dialer(gobwas.Options{Header: gobwas.Header(h)}), e.WSURL(),
		neffos.Namespaces{protocol.NamespaceAgent: neffos.Events{
			neffos.OnAnyEvent:            record,
			neffos.OnNamespaceDisconnect: record,
		}})
	if err != nil {
		return nil, err
	}
	c.Client = client
	e.t.Cleanup(client.Close)
	return c, nil
}

// ConnectAgent dials and joins the agent namespace, failing the test on error.
func (e *Env) ConnectAgent(a Agent) *AgentConn {
	e.t.Helper()
	c, err := e.DialAgent(a)
	if err != nil {
		e.t.Fatalf("agent %d: dial: %v", a.ID, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c.NS, err = c.Client.Connect(ctx, protocol.NamespaceAgent); err != nil {
		e.t.Fatalf("agent %d: connect namespace: %v", a.ID, err)
	}
	return c
}

// Ask sends event with body and waits for the controller's reply. The
// neffos client derives wait tokens from the clock, so concurrent Asks on
// one connection can receive each other's replies: ask from one goroutine
// per connection (protocol/neffos.Client numbers its waits and is safe).
func (c *AgentConn) Ask(event string, body []byte) (neffos.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.NS.Ask(ctx, event, body)
}

// MustAsk is Ask that fails the test on error.
func (c *AgentConn) MustAsk(event string, body []byte) neffos.Message {
	c.env.t.Helper()
	m, err := c.Ask(event, body)
	if err != nil {
		c.env.t.Fatalf("ask %s: %v", event, err)
	}
	return m
}

// WaitFor waits up to timeout for an unprompted event (e.g. a pushed
// probe_get or deactivate) and returns it, consuming it.
func (c *AgentConn) WaitFor(event string, timeout time.Duration) (neffos.Message, bool) {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		for i, m := range c.received {
			if m.Event == event {
				c.received = append(c.received[:i], c.received[i+1:]...)
				c.mu.Unlock()
				return m, true
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			return neffos.Message{}, false
		}
	}
}
