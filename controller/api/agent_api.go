package api

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/apperr"
)

var errMissingAgentHeaders = &apperr.Error{Kind: apperr.Unauthorized, Msg: "missing auth headers"}

// AgentCredentials reads the PSK headers of agent requests (HTTP and the
// WebSocket upgrade).
func AgentCredentials(r *http.Request, clientIP string) (agents.Credentials, error) {
	ws, agent, psk := r.Header.Get("X-Workspace-ID"), r.Header.Get("X-Agent-ID"), r.Header.Get("X-Agent-PSK")
	if ws == "" || agent == "" || psk == "" {
		return agents.Credentials{}, errMissingAgentHeaders
	}
	wsID, err := strconv.ParseInt(strings.TrimSpace(ws), 10, 64)
	if err != nil {
		return agents.Credentials{}, apperr.Invalidf("X-Workspace-ID must be numeric")
	}
	agentID, err := strconv.ParseInt(strings.TrimSpace(agent), 10, 64)
	if err != nil {
		return agents.Credentials{}, apperr.Invalidf("X-Agent-ID must be numeric")
	}
	return agents.Credentials{WorkspaceID: wsID, AgentID: agentID, PSK: psk, ClientIP: clientIP}, nil
}

// agentAuthed requires valid PSK headers (which also marks the agent seen).
func (a *API) agentAuthed(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		creds, err := AgentCredentials(r, a.clientIP(r).String())
		if err != nil {
			return err
		}
		if _, err := a.agents.AuthenticatePSK(r.Context(), creds); err != nil {
			return err
		}
		return next(w, r)
	}
}

func (a *API) agentTime(w http.ResponseWriter, r *http.Request) error {
	now := time.Now().UTC()
	return writeJSON(w, http.StatusOK, map[string]any{"server_time": now.Format(time.RFC3339Nano), "server_unix_ms": now.UnixMilli()})
}

// ipReport is the answer of whoami and IP lookups; enrichment fields are
// filled by the lookup services when configured.
type ipReport struct {
	IP        string    `json:"ip"`
	Timestamp time.Time `json:"timestamp"`
}

func (a *API) agentWhoami(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, ipReport{IP: a.clientIP(r).String(), Timestamp: time.Now().UTC()})
}

func (a *API) agentLookupIP(w http.ResponseWriter, r *http.Request) error {
	addr, err := netip.ParseAddr(r.PathValue("ip"))
	if err != nil {
		return apperr.Invalidf("%q is not an IP address", r.PathValue("ip"))
	}
	return writeJSON(w, http.StatusOK, ipReport{IP: addr.Unmap().String(), Timestamp: time.Now().UTC()})
}
