package panelsock

import (
	"context"
	"errors"
	"time"

	"github.com/coder/websocket"

	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/realtime"
)

// maxClientMessage bounds one client frame; subscribe messages are tiny.
const maxClientMessage = 4 << 10

// writeTimeout bounds one frame's write to the client.
const writeTimeout = 10 * time.Second

// Reasons a connection ends; closeFor maps them to close frames.
var (
	errClientGone   = errors.New("client closed the connection")
	errNoPong       = errors.New("client did not answer a ping")
	errSessionEnded = errors.New("session expired or revoked")
)

// conn is one panel connection. Its subscriber's backlog carries, in
// order, the replies to the client and the events of its subscriptions.
type conn struct {
	h     *Handler
	ws    *websocket.Conn
	user  int64
	token string // re-verified periodically
	sub   *realtime.Subscriber
	ctx   context.Context // the subscriber's: ends with the connection
	end   context.CancelCauseFunc
}

// serve runs a connection until it ends: the read loop on this goroutine,
// writes (and pings and re-checks) on another.
func serve(h *Handler, ws *websocket.Conn, sess auth.Session, token string) {
	ws.SetReadLimit(maxClientMessage)
	ctx, end := context.WithCancelCause(h.base)
	sub := h.cfg.Broker.Subscribe(ctx, h.cfg.Backlog)
	c := &conn{h: h, ws: ws, user: sess.User.ID, token: token, sub: sub, ctx: sub.Context(), end: end}
	written := make(chan struct{})
	go func() {
		defer close(written)
		c.writeLoop()
	}()
	c.readLoop()
	c.end(errClientGone)
	<-written
	ws.CloseNow()
}

// readLoop handles client messages until the connection fails or closes.
// It reads without the connection's context: ending the connection closes
// the socket (writeLoop), which ends the read.
func (c *conn) readLoop() {
	for {
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			c.replyError(0, "send JSON text frames")
			continue
		}
		c.handle(data)
	}
}

// writeLoop writes queued messages, pings the client and re-checks access,
// until the connection ends; then it closes the socket with the reason.
func (c *conn) writeLoop() {
	ping := time.NewTicker(c.h.cfg.PingInterval)
	defer ping.Stop()
	recheck := time.NewTicker(c.h.cfg.RecheckInterval)
	defer recheck.Stop()
	for {
		select {
		case <-c.ctx.Done():
			code, reason := closeFor(context.Cause(c.ctx))
			if code == 0 {
				c.ws.CloseNow()
			} else {
				_ = c.ws.Close(code, reason)
			}
			return
		case <-c.sub.Ready():
			for _, m := range c.sub.Take() {
				if c.ctx.Err() != nil {
					break
				}
				c.deliver(m)
			}
		case <-ping.C:
			ctx, cancel := context.WithTimeout(c.ctx, c.h.cfg.PingInterval)
			if err := c.ws.Ping(ctx); err != nil {
				c.end(errNoPong)
			}
			cancel()
		case <-recheck.C:
			c.recheckAll()
		}
	}
}

func (c *conn) deliver(m realtime.Message) {
	if !c.sub.Wants(m) {
		return // its subscription ended while it waited
	}
	if m.Kind == realtime.KindChanged {
		c.recheck(m.WorkspaceID)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, m.Frame); err != nil {
		c.end(err)
	}
}

// closeFor is the close frame for why a connection ended; code 0 means no
// frame is worth sending (the peer is gone or is not reading).
func closeFor(cause error) (websocket.StatusCode, string) {
	switch {
	case errors.Is(cause, errShutdown):
		return websocket.StatusGoingAway, errShutdown.Error()
	case errors.Is(cause, errSessionEnded):
		return websocket.StatusPolicyViolation, errSessionEnded.Error()
	default: // errClientGone, realtime.ErrSlow, errNoPong, a failed write
		return 0, ""
	}
}
