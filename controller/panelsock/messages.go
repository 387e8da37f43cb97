package panelsock

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/realtime"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

// clientMessage is what a client sends: subscribe, unsubscribe or ping.
type clientMessage struct {
	Type        string `json:"type"`
	WorkspaceID int64  `json:"workspace_id"`
	ProbeID     int64  `json:"probe_id"` // 0: every probe of the workspace
}

// Replies to the client; events have their shapes in package realtime.
type (
	subscribedReply struct {
		Type        string `json:"type"`
		WorkspaceID int64  `json:"workspace_id"`
		ProbeID     int64  `json:"probe_id"`
	}
	pongReply struct {
		Type string `json:"type"`
	}
	errorReply struct {
		Type        string `json:"type"`
		Error       string `json:"error"`
		WorkspaceID int64  `json:"workspace_id,omitempty"` // set when the error concerns a workspace
	}
)

func (c *conn) handle(data []byte) {
	var m clientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		c.replyError(0, invalid(err))
		return
	}
	switch m.Type {
	case "ping":
		c.reply(pongReply{Type: "pong"})
	case "subscribe", "unsubscribe":
		if m.WorkspaceID <= 0 || m.ProbeID < 0 {
			c.replyError(0, m.Type+" needs workspace_id (a positive integer) and probe_id (0 for every probe, or a probe's id)")
			return
		}
		if m.Type == "subscribe" {
			c.subscribe(m.WorkspaceID, m.ProbeID)
		} else if !c.sub.Remove(m.WorkspaceID, m.ProbeID) {
			c.replyError(m.WorkspaceID, fmt.Sprintf("not subscribed to probe_id %d of workspace %d", m.ProbeID, m.WorkspaceID))
		}
	default:
		c.replyError(0, fmt.Sprintf("unknown message type %q: send subscribe, unsubscribe or ping", m.Type))
	}
}

// invalid explains why a client message could not be decoded.
func invalid(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		want := "a string"
		if typeErr.Type.Kind() == reflect.Int64 {
			want = "an integer"
		}
		return fmt.Sprintf("invalid message: %s must be %s", typeErr.Field, want)
	}
	return "invalid message: send a JSON object such as {\"type\":\"subscribe\",\"workspace_id\":1,\"probe_id\":0}"
}

// subscribe checks that the user is a member of the workspace (and that
// the probe is in it) before anything of it can reach the client; the
// "subscribed" reply is queued before the first event.
func (c *conn) subscribe(workspaceID, probeID int64) {
	if c.sub.Count() >= c.h.cfg.MaxSubscriptions {
		c.replyError(workspaceID, fmt.Sprintf("too many subscriptions on this connection (limit %d)", c.h.cfg.MaxSubscriptions))
		return
	}
	err := c.checkAccess(workspaceID)
	if err == nil && probeID != 0 {
		_, err = probes.GetInWorkspace(c.ctx, c.h.cfg.DB, workspaceID, probeID)
	}
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			c.h.cfg.Log.Warn("panel socket: could not check subscription", "workspace_id", workspaceID, "user_id", c.user, "err", err)
		}
		c.replyError(workspaceID, refusal(err))
		return
	}
	c.reply(subscribedReply{Type: "subscribed", WorkspaceID: workspaceID, ProbeID: probeID})
	c.sub.Add(workspaceID, probeID)
}

// checkAccess returns nil when the user is a member of the workspace.
func (c *conn) checkAccess(workspaceID int64) error {
	_, err := workspace.Access(c.ctx, c.h.cfg.DB, workspaceID, c.user)
	return err
}

// refusal is the client-facing text of a failed subscribe.
func refusal(err error) string {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.NotFound {
		return e.Msg
	}
	return "could not check access; try again"
}

func (c *conn) reply(v any) {
	frame, err := json.Marshal(v)
	if err != nil {
		c.h.cfg.Log.Error("panel socket: encode reply", "err", err)
		return
	}
	c.sub.Send(realtime.Message{Kind: realtime.KindDirect, Frame: frame})
}

func (c *conn) replyError(workspaceID int64, msg string) {
	c.reply(errorReply{Type: "error", Error: msg, WorkspaceID: workspaceID})
}
