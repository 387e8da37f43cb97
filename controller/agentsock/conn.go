package agentsock

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// maxFrameBytes bounds one incoming frame (PROTOCOL.md: probe_post ≤ 512 KiB).
const maxFrameBytes = 512 << 10

var connSeq atomic.Int64

// conn is one agent's live socket.
type conn struct {
	hub   *Hub
	ws    *websocket.Conn
	agent agents.Agent
	id    string

	ctx    context.Context // ends when the connection ends
	cancel context.CancelFunc
	joined atomic.Bool // namespace "agent" connected

	// The write queue is a slice drained by a goroutine that exists only
	// while there is something to write: an idle connection holds no
	// writer goroutine and no buffer, which is most of the memory of
	// thousands of idle agents.
	outMu      sync.Mutex
	out        [][]byte
	writing    bool
	closeAfter bool // close once the queue is written

	probesMu sync.Mutex
	probes   map[int64]probeAccess // probe_post authorisation cache
}

// ServeHTTP upgrades /ws and /ws/agent. Credentials are checked before the
// upgrade, but a failure is reported the neffos way, as the handshake
// answer `H<reason>`, because deployed agents classify those texts.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ag, authErr := h.authenticate(r)
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // Origin is checked by the API's CORS middleware
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		h.cfg.Log.Debug("agent websocket upgrade failed", "err", err)
		return
	}
	ws.SetReadLimit(maxFrameBytes)
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	c := &conn{hub: h, ws: ws, agent: ag, ctx: ctx, cancel: cancel,
		id: strconv.FormatInt(connSeq.Add(1), 10) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
	}
	defer cancel()
	early, ok := c.handshake(authErr)
	if !ok {
		return
	}
	if !h.register(c) {
		ws.Close(websocket.StatusGoingAway, "controller shutting down")
		return
	}
	defer h.unregister(c)
	h.cfg.Log.Info("agent connected", "agent_id", ag.ID, "workspace_id", ag.WorkspaceID, "conn", c.id)
	for _, frame := range early {
		c.handle(frame)
	}
	c.readLoop()
	c.ws.CloseNow()
	h.cfg.Log.Info("agent disconnected", "agent_id", ag.ID, "conn", c.id)
}

func (h *Hub) authenticate(r *http.Request) (agents.Agent, error) {
	creds, err := agents.CredentialsFromHeaders(r.Header, h.cfg.ClientIP(r))
	if err != nil {
		return agents.Agent{}, err
	}
	return h.cfg.Agents.AuthenticatePSK(r.Context(), creds)
}

// rejection is the handshake text for an authentication failure, worded
// for how deployed agents classify it (PROTOCOL.md §2).
func rejection(err error) string {
	e, _ := apperr.As(err)
	switch {
	case e == nil:
		return neffos.RejectServerError
	case e.Kind == apperr.Gone:
		return neffos.RejectAgentDeleted
	case e.Kind == apperr.TooMany:
		return neffos.RejectRateLimited
	case e.Kind == apperr.Unauthorized, e.Kind == apperr.Invalid:
		return neffos.RejectInvalidPSK
	default:
		return neffos.RejectServerError
	}
}

// handshakeTimeout bounds the wait for the client's first frame.
const handshakeTimeout = 15 * time.Second

// handshake waits for the client's `M`, answers `A<id>` or `H<reason>`, and
// returns frames that arrived before the `M` (processed after it).
func (c *conn) handshake(authErr error) ([][]byte, bool) {
	ctx, cancel := context.WithTimeout(c.ctx, handshakeTimeout)
	defer cancel()
	var early [][]byte
	for {
		_, frame, err := c.ws.Read(ctx)
		if err != nil {
			c.ws.CloseNow()
			return nil, false
		}
		if !neffos.IsClientAck(frame) {
			if len(early) < 16 {
				early = append(early, frame)
			}
			continue
		}
		break
	}
	if authErr != nil {
		_ = c.ws.Write(ctx, websocket.MessageText, neffos.ServerReject(rejection(authErr)))
		c.ws.Close(websocket.StatusPolicyViolation, "authentication failed")
		return nil, false
	}
	if err := c.ws.Write(ctx, websocket.MessageText, neffos.ServerAck(c.id)); err != nil {
		c.ws.CloseNow()
		return nil, false
	}
	return early, true
}

// readLoop handles frames until the connection ends.
func (c *conn) readLoop() {
	defer c.cancel()
	for {
		_, frame, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		c.handle(frame)
		if err := c.hub.cfg.Agents.Touch(c.ctx, c.agent.ID); err != nil {
			c.hub.cfg.Log.Warn("could not record agent as seen", "agent_id", c.agent.ID, "err", err)
		}
	}
}

const writeTimeout = 10 * time.Second

// send queues a frame without blocking; a queue over WriteQueue frames
// means the agent is not reading, and the connection is closed
// (PROTOCOL.md §5).
func (c *conn) send(frame []byte) {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if c.ctx.Err() != nil {
		return
	}
	if len(c.out) >= c.hub.cfg.WriteQueue {
		c.hub.cfg.Log.Warn("agent write queue overflow; closing connection", "agent_id", c.agent.ID, "conn", c.id)
		c.cancel()
		return
	}
	c.out = append(c.out, frame)
	if !c.writing {
		c.writing = true
		go c.flush()
	}
}

// flush writes queued frames until the queue is empty, then exits.
func (c *conn) flush() {
	for {
		c.outMu.Lock()
		if len(c.out) == 0 {
			c.writing = false
			closing := c.closeAfter
			c.out = nil
			c.outMu.Unlock()
			if closing {
				c.ws.Close(websocket.StatusNormalClosure, "")
				c.cancel()
			}
			return
		}
		frame := c.out[0]
		c.out = c.out[1:]
		c.outMu.Unlock()
		ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
		err := c.ws.Write(ctx, websocket.MessageText, frame)
		cancel()
		if err != nil {
			c.cancel()
			c.outMu.Lock()
			c.writing, c.out = false, nil
			c.outMu.Unlock()
			return
		}
	}
}

// ping checks the agent answers; one that does not within the interval is
// dropped.
func (c *conn) ping() {
	ctx, cancel := context.WithTimeout(c.ctx, c.hub.cfg.PingInterval)
	defer cancel()
	if err := c.ws.Ping(ctx); err != nil {
		c.cancel()
	}
}

// closeAfterFlush ends the connection once queued frames are written.
func (c *conn) closeAfterFlush() {
	c.outMu.Lock()
	c.closeAfter = true
	start := !c.writing
	c.writing = true
	c.outMu.Unlock()
	if start {
		go c.flush()
	}
}

// replaced ends a connection that a newer one of the same agent replaced:
// the agent is told its namespace was disconnected.
func (c *conn) replaced() {
	c.send(neffos.Message{Wait: neffos.ServerWait(time.Now()), Namespace: protocol.NamespaceAgent,
		Event: neffos.OnNamespaceDisconnect}.Marshal())
	c.closeAfterFlush()
}

// shutdown ends the connection for a controller shutdown.
func (c *conn) shutdown() {
	c.ws.Close(websocket.StatusGoingAway, "controller shutting down")
	c.cancel()
}
