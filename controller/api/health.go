package api

import (
	"context"
	"net/http"
	"time"
)

// healthz is public: 200 when the database answers, 503 otherwise.
func (a *API) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.db.Ping(ctx); err != nil {
		a.log.Warn("health check failed", "err", err)
		return writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ok": false, "error": "database unavailable"})
	}
	return writeJSON(w, http.StatusOK, ok)
}
