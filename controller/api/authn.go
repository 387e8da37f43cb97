package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

type ctxKey int

const (
	sessionKey ctxKey = iota
	workspaceKey
	agentKey
)

var errNoToken = &apperr.Error{Kind: apperr.Unauthorized, Msg: "missing bearer token: send Authorization: Bearer <token> from /auth/login"}

// bearerToken extracts the token of an `Authorization: Bearer` header.
func bearerToken(r *http.Request) string {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authed requires a valid user session and stores it in the context.
func (a *API) authed(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		token := bearerToken(r)
		if token == "" {
			return errNoToken
		}
		sess, err := a.sessions.Verify(r.Context(), token)
		if err != nil {
			return err
		}
		return next(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
	}
}

// session is the caller of an authed handler.
func session(r *http.Request) auth.Session {
	return r.Context().Value(sessionKey).(auth.Session)
}

// inWorkspace requires the caller to be an accepted member of the workspace
// in the {id} path segment with at least role min. Non-members get 404 so
// workspace ids cannot be probed; members below min get 403 required_role.
// A successful write is announced to WorkspaceEvents.
func (a *API) inWorkspace(min workspace.Role, next handler) handler {
	return a.authed(func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		ws, err := workspace.Access(r.Context(), a.db, id, session(r).User.ID)
		if err != nil {
			return err
		}
		if err := ws.MyRole.Require(min); err != nil {
			return err
		}
		if err := next(w, r.WithContext(context.WithValue(r.Context(), workspaceKey, ws))); err != nil {
			return err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			a.workspaceEvents.Changed(ws.ID)
		}
		return nil
	})
}

// currentWorkspace is the workspace of an inWorkspace handler, with MyRole.
func currentWorkspace(r *http.Request) workspace.Workspace {
	return r.Context().Value(workspaceKey).(workspace.Workspace)
}

// actor describes the caller inside the current workspace.
func actor(r *http.Request) workspace.Actor {
	u := session(r).User
	return workspace.Actor{UserID: u.ID, Email: u.Email, Role: currentWorkspace(r).MyRole}
}
