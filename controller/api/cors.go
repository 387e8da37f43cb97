package api

import (
	"net/http"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/origin"
)

var errOrigin = apperr.Forbiddenf(origin.Refusal)

// cors enforces the Origin rules and answers preflight requests.
func (a *API) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from, listed, allowed := origin.Policy(a.allowedOrigins).Check(r)
		if !allowed {
			a.writeError(w, r, errOrigin)
			return
		}
		if listed {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", from)
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Workspace-ID, X-Agent-ID, X-Agent-PSK")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
