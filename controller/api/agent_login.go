package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/apperr"
)

// flexID is an id that deployed agents may send as a number or a numeric string.
type flexID int64

func (id *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if len(b) == 0 || string(b) == "null" {
		*id = 0
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errors.New("id is not numeric")
	}
	*id = flexID(n)
	return nil
}

type agentLoginRequest struct {
	WorkspaceID flexID `json:"workspace_id"`
	AgentID     flexID `json:"agent_id"`
	PSK         string `json:"psk"`
	PIN         string `json:"pin"`
}

// agentLoginReply is the body shape every answer of POST /agent has
// (PROTOCOL.md §1): deployed agents read status, error and psk from it.
type agentLoginReply struct {
	Status string        `json:"status"`
	Error  string        `json:"error,omitempty"`
	PSK    string        `json:"psk,omitempty"`
	Agent  *agents.Agent `json:"agent,omitempty"`
}

// agentLogin is POST /agent and POST /agent/login: PIN bootstrap or PSK
// authentication, with exactly the statuses and bodies of PROTOCOL.md §1.
func (a *API) agentLogin(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return writeJSON(w, http.StatusRequestEntityTooLarge, agentLoginReply{Error: "invalid_request"})
	}
	var req agentLoginRequest
	if err != nil || json.Unmarshal(body, &req) != nil {
		return writeJSON(w, http.StatusBadRequest, agentLoginReply{Error: "invalid_request"})
	}
	creds := agents.Credentials{WorkspaceID: int64(req.WorkspaceID), AgentID: int64(req.AgentID),
		PSK: req.PSK, PIN: req.PIN, ClientIP: a.clientIP(r).String()}
	switch {
	case req.PSK != "":
		ag, err := a.agents.AuthenticatePSK(r.Context(), creds)
		if err != nil {
			return a.agentLoginError(w, r, err)
		}
		return writeJSON(w, http.StatusOK, agentLoginReply{Status: "ok", Agent: &ag})
	case req.PIN != "":
		ag, psk, err := a.agents.BootstrapPIN(r.Context(), creds)
		if err != nil {
			return a.agentLoginError(w, r, err)
		}
		return writeJSON(w, http.StatusOK, agentLoginReply{Status: "success", PSK: psk, Agent: &ag})
	default:
		return writeJSON(w, http.StatusBadRequest, agentLoginReply{Error: "psk_or_pin_required"})
	}
}

// agentLoginError answers a failed agent login in the protocol's shape.
func (a *API) agentLoginError(w http.ResponseWriter, r *http.Request, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Unavailable {
		a.log.Error("agent login failed", "path", r.URL.Path, "err", err)
		return writeJSON(w, http.StatusServiceUnavailable, agentLoginReply{Error: "server_error"})
	}
	switch e.Kind {
	case apperr.Gone:
		return writeJSON(w, http.StatusGone, agentLoginReply{Status: "deleted", Error: e.Msg})
	case apperr.TooMany:
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
		return writeJSON(w, http.StatusTooManyRequests, agentLoginReply{Error: e.Msg})
	default:
		return writeJSON(w, statusOf[e.Kind], agentLoginReply{Error: e.Msg})
	}
}
