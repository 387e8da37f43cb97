package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// originAllowed applies CONTRACT §1: requests without Origin (agents,
// scripts) pass; a browser Origin must be in NETWATCHER_ALLOWED_ORIGINS
// ("*" allows any) or, when that is empty or lacks it, match the Host.
func (a *API) originAllowed(r *http.Request) (origin string, listed bool, allowed bool) {
	origin = r.Header.Get("Origin")
	if origin == "" {
		return "", false, true
	}
	if slices.Contains(a.allowedOrigins, "*") || slices.ContainsFunc(a.allowedOrigins, func(o string) bool {
		return strings.EqualFold(strings.TrimRight(o, "/"), origin)
	}) {
		return origin, true, true
	}
	u, err := url.Parse(origin)
	return origin, false, err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

var errOrigin = apperr.Forbiddenf("origin not allowed: add it to NETWATCHER_ALLOWED_ORIGINS")

// cors enforces the Origin rules and answers preflight requests.
func (a *API) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin, listed, allowed := a.originAllowed(r)
		if !allowed {
			a.writeError(w, r, errOrigin)
			return
		}
		if listed {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
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
