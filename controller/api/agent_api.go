package api

import (
	"net/http"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/lookup"
)

// agentAuthed requires valid PSK headers (which also marks the agent seen).
func (a *API) agentAuthed(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		creds, err := agents.CredentialsFromHeaders(r.Header, a.clientIP(r).String())
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

// agentWhoami is the agent's address as the controller sees it; without
// quick=true, with what the lookups know about it.
func (a *API) agentWhoami(w http.ResponseWriter, r *http.Request) error {
	quick, err := queryBool(r, "quick", false)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	ip := a.clientIP(r)
	if quick {
		return writeJSON(w, http.StatusOK, lookup.IPReport{IP: ip.String(), Timestamp: time.Now().UTC()})
	}
	return writeJSON(w, http.StatusOK, a.lookups.Report(r.Context(), ip))
}

// agentLookupIP answers agents as GET /lookup/ip/{ip} answers users.
func (a *API) agentLookupIP(w http.ResponseWriter, r *http.Request) error { return a.lookupIP(w, r) }
