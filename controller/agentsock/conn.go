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
	out    chan []byte // bounded write queue
	joined atomic.Bool // namespace "agent" connected

	closeOnce sync.Once
	flushThen chan struct{} // closed: stop after writing what is queued

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
		id:        strconv.FormatInt(connSeq.Add(1), 10) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		out:       make(chan []byte, h.cfg.WriteQueue),
		flushThen: make(chan struct{}),
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
	go c.writeLoop()
	for _, frame := range early {
		c.handle(frame)
	}
	c.readLoop()
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

// writeLoop writes queued frames and pings the agent; a peer that does not
// answer a ping in time is dropped.
func (c *conn) writeLoop() {
	defer c.ws.CloseNow()
	ping := time.NewTicker(c.hub.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case frame := <-c.out:
			if !c.write(frame) {
				return
			}
		case <-c.flushThen:
		flush:
			for {
				select {
				case frame := <-c.out:
					c.write(frame)
				default:
					break flush
				}
			}
			c.ws.Close(websocket.StatusNormalClosure, "")
			return
		case <-ping.C:
			ctx, cancel := context.WithTimeout(c.ctx, c.hub.cfg.PingInterval)
			err := c.ws.Ping(ctx)
			cancel()
			if err != nil {
				c.cancel()
				return
			}
		case <-c.ctx.Done():
			return
		}
	}
}

const writeTimeout = 10 * time.Second

func (c *conn) write(frame []byte) bool {
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, frame); err != nil {
		c.cancel()
		return false
	}
	return true
}

// send queues a frame without blocking; a full queue means the agent is
// not reading, and the connection is closed (PROTOCOL.md §5).
func (c *conn) send(frame []byte) {
	select {
	case c.out <- frame:
	case <-c.ctx.Done():
	default:
		c.hub.cfg.Log.Warn("agent write queue overflow; closing connection", "agent_id", c.agent.ID, "conn", c.id)
		c.cancel()
	}
}

// closeAfterFlush ends the connection once queued frames are written.
func (c *conn) closeAfterFlush() {
	c.closeOnce.Do(func() { close(c.flushThen) })
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
