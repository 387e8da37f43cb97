package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netwatcher/netwatcher/controller/store"
)

// TestHealthzDatabaseDown: with the database gone, /healthz answers 503
// {"ok":false,"error":…} instead of pretending.
func TestHealthzDatabaseDown(t *testing.T) {
	t.Parallel()
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := &API{db: db, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		a.serve(a.healthz).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"ok":true}` {
		t.Fatalf("healthy: %d %s", rec.Code, rec.Body)
	}
	db.Close()
	rec := get()
	if rec.Code != http.StatusServiceUnavailable || strings.TrimSpace(rec.Body.String()) != `{"error":"database unavailable","ok":false}` {
		t.Errorf("database closed: %d %s, want 503 {\"ok\":false,\"error\":\"database unavailable\"}", rec.Code, rec.Body)
	}
}
