// Package panelsock is the browsers' WebSocket endpoint (/ws/panel): JSON
// text frames as in the API reference's Panel WebSocket API and CONTRACT
// §6b. A connection authenticates once with a user's JWT, subscribes to
// workspaces (and probes) it is a member of, and receives what the
// realtime broker publishes for them.
package panelsock

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/origin"
	"github.com/netwatcher/netwatcher/controller/realtime"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Config wires the endpoint to the rest of the controller. Zero durations
// and sizes take the defaults.
type Config struct {
	Broker   realtime.Broker
	Sessions *auth.Sessions
	DB       *store.DB
	Origins  origin.Policy
	Log      *slog.Logger

	// PingInterval is how often the server pings; a client that has not
	// answered by the next ping is closed. Default 30 s.
	PingInterval time.Duration
	// RecheckInterval is how often a connection re-verifies its session and
	// its membership of each subscribed workspace. Default 1 min.
	RecheckInterval time.Duration
	// Backlog is how many bytes of messages may wait for a slow client
	// before it is dropped. Default 4 MiB.
	Backlog int
	// MaxSubscriptions bounds the subscriptions of one connection. Default 256.
	MaxSubscriptions int
}

func (c Config) withDefaults() Config {
	if c.PingInterval <= 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.RecheckInterval <= 0 {
		c.RecheckInterval = time.Minute
	}
	if c.Backlog <= 0 {
		c.Backlog = 4 << 20
	}
	if c.MaxSubscriptions <= 0 {
		c.MaxSubscriptions = 256
	}
	return c
}

// Handler serves /ws/panel.
type Handler struct {
	cfg  Config
	base context.Context // every connection's parent; cancelled by Close
	stop context.CancelCauseFunc

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// New returns the endpoint.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg.withDefaults()}
	h.base, h.stop = context.WithCancelCause(context.Background())
	return h
}

// bearerProtocol is the subprotocol a browser offers, with the token as a
// second "protocol", because it cannot set an Authorization header.
const bearerProtocol = "bearer"

// credentials finds the token: Authorization: Bearer, ?token=, or
// Sec-WebSocket-Protocol: bearer, <token> (viaProtocol, so the upgrade
// must select "bearer").
func credentials(r *http.Request) (token string, viaProtocol bool) {
	if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(t), false
	}
	if t := r.URL.Query().Get("token"); t != "" {
		return t, false
	}
	var offered []string
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(h, ",") {
			offered = append(offered, strings.TrimSpace(p))
		}
	}
	if len(offered) == 2 && strings.EqualFold(offered[0], bearerProtocol) {
		return offered[1], true
	}
	return "", false
}

const errNoToken = "missing token: send Authorization: Bearer <token>, ?token=<token> or Sec-WebSocket-Protocol: bearer, <token> (a token from /auth/login)"

// ServeHTTP checks the Origin and the token, then upgrades. Refusals are
// plain HTTP JSON errors, before any upgrade.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := h.cfg.Origins.Check(r); !ok {
		refuse(w, http.StatusForbidden, origin.Refusal)
		return
	}
	token, viaProtocol := credentials(r)
	if token == "" {
		refuse(w, http.StatusUnauthorized, errNoToken)
		return
	}
	sess, err := h.cfg.Sessions.Verify(r.Context(), token)
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		refuse(w, http.StatusUnauthorized, "invalid or expired token")
		return
	case err != nil:
		h.cfg.Log.Error("panel socket: verify session", "err", err)
		refuse(w, http.StatusServiceUnavailable, "could not verify the token; try again")
		return
	}
	if !isUpgrade(r) {
		refuse(w, http.StatusUpgradeRequired, "/ws/panel is a WebSocket: connect with Upgrade: websocket")
		return
	}
	if !h.track() {
		refuse(w, http.StatusServiceUnavailable, "controller shutting down")
		return
	}
	defer h.wg.Done()
	opts := &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the Origin was checked above, by the API's rule
		// Frames are encoded once for every subscriber; compressing per
		// connection would multiply that cost by the audience.
		CompressionMode: websocket.CompressionDisabled,
	}
	if viaProtocol {
		opts.Subprotocols = []string{bearerProtocol}
	}
	ws, err := websocket.Accept(w, r, opts)
	if err != nil {
		h.cfg.Log.Debug("panel websocket upgrade failed", "err", err)
		return
	}
	serve(h, ws, sess, token)
}

// isUpgrade reports whether r asks for a WebSocket, so a plain request
// gets a JSON answer rather than the WebSocket library's text one.
func isUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func refuse(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// track counts a connection in, unless the endpoint is closed.
func (h *Handler) track() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	return true
}

// errShutdown ends connections when the controller stops.
var errShutdown = errors.New("controller shutting down")

// Close ends every connection (clients are told the server is going away)
// and waits for them, or for ctx.
func (h *Handler) Close(ctx context.Context) {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.stop(errShutdown)
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
