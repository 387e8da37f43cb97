// Package agentsock is the agents' WebSocket endpoint (/ws and /ws/agent):
// the neffos wire protocol of PROTOCOL.md §2–3 on top of coder/websocket,
// one live connection per agent, and the event handlers that feed the
// ingest pipeline and the speed-test queue.
package agentsock

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/periodic"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/speedtest"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// Config wires the hub to the rest of the controller.
type Config struct {
	DB        *store.DB
	Agents    *agents.Service
	Pipeline  *probedata.Pipeline
	Data      probedata.Store
	Speedtest *speedtest.Queue
	Log       *slog.Logger
	// ClientIP resolves a request's client address (trusted-proxy aware).
	ClientIP func(*http.Request) string

	// OnPresence, when set, learns that an agent came online (its first
	// live connection) or went offline (its live connection ended). It is
	// called without locks held and must not block.
	OnPresence func(agent agents.Agent, online bool)

	PingInterval  time.Duration // server pings; default 30 s
	WriteQueue    int           // frames waiting to be written per connection; default 256
	IngestTimeout time.Duration // longest wait for room in the ingest queue; default 30 s
}

// Hub holds the live agent connections.
type Hub struct {
	cfg Config
	ips *publicIPs

	mu     sync.Mutex
	conns  map[int64]*conn
	closed bool
	wg     sync.WaitGroup
}

// New returns a hub; register hub.OnCommit with the pipeline.
func New(cfg Config) *Hub {
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 30 * time.Second
	}
	if cfg.WriteQueue <= 0 {
		cfg.WriteQueue = 256
	}
	if cfg.IngestTimeout <= 0 {
		cfg.IngestTimeout = 30 * time.Second
	}
	return &Hub{cfg: cfg, conns: map[int64]*conn{}, ips: newPublicIPs(cfg.Data)}
}

// register makes c the agent's live connection; an older one is told to
// disconnect its namespace (deployed agents then reconnect after ~1 s,
// which is why the newer connection must win) and closed.
func (h *Hub) register(c *conn) bool {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return false
	}
	old := h.conns[c.agent.ID]
	h.conns[c.agent.ID] = c
	h.wg.Add(1)
	h.mu.Unlock()
	if old != nil {
		old.replaced()
	} else {
		h.presence(c.agent, true)
	}
	return true
}

func (h *Hub) unregister(c *conn) {
	h.mu.Lock()
	current := h.conns[c.agent.ID] == c
	if current {
		delete(h.conns, c.agent.ID)
	}
	h.mu.Unlock()
	if current {
		h.presence(c.agent, false)
	}
	h.wg.Done()
}

func (h *Hub) presence(a agents.Agent, online bool) {
	if h.cfg.OnPresence != nil {
		h.cfg.OnPresence(a, online)
	}
}

func (h *Hub) lookup(agentID int64) *conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[agentID]
}

// Connected reports whether an agent has a live connection here.
func (h *Hub) Connected(agentID int64) bool { return h.lookup(agentID) != nil }

// ProbesChanged pushes fresh probe lists to the connected agents among ids,
// so configuration changes apply without waiting for the agent's poll.
func (h *Hub) ProbesChanged(ids []int64) {
	for _, id := range ids {
		if c := h.lookup(id); c != nil {
			c.invalidateProbes()
			c.pushProbes()
		}
	}
}

// Deactivate tells a connected agent to delete its credentials and stop
// (sent just before its credentials are revoked), then closes it.
func (h *Hub) Deactivate(agentID int64, reason string) {
	c := h.lookup(agentID)
	if c == nil {
		return
	}
	body, _ := json.Marshal(map[string]string{"reason": reason})
	c.send(neffos.Message{Namespace: protocol.NamespaceAgent, Event: protocol.EventDeactivate, Body: body}.Marshal())
	c.closeAfterFlush()
}

// Run pings every connected agent each PingInterval until ctx ends; an
// agent that does not answer within the interval is dropped. One ticker
// for the hub, not one per connection.
func (h *Hub) Run(ctx context.Context) {
	periodic.Every(ctx, h.cfg.PingInterval, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, c := range h.conns {
			go c.ping()
		}
	})
}

// Close disconnects every agent and waits for their handlers to finish.
func (h *Hub) Close(ctx context.Context) {
	h.mu.Lock()
	h.closed = true
	conns := make([]*conn, 0, len(h.conns))
	for _, c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.shutdown()
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// OnCommit learns agents' public addresses from committed NETINFO results.
func (h *Hub) OnCommit(rows []probedata.Row) {
	for _, r := range rows {
		if r.Type == protocol.TypeNetinfo {
			h.ips.observe(r)
		}
	}
}
