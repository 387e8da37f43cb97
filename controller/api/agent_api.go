package api

import (
	"net/http"
	"net/netip"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/apperr"
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
