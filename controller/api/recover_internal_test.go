package api

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPanicBecomesJSON500 wraps panicking handlers in the real middleware
// chain (log and recover, CORS, JSON fallbacks) of New.
func TestPanicBecomesJSON500(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	a := &API{log: slog.New(slog.NewTextHandler(&logs, nil))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom secret detail") })
	mux.Handle("GET /boom-handler", a.serve(func(http.ResponseWriter, *http.Request) error { panic(errSentinel) }))
	mux.HandleFunc("GET /fine", func(w http.ResponseWriter, _ *http.Request) { _ = writeJSON(w, http.StatusOK, ok) })
	srv := httptest.NewServer(a.logAndRecover(a.cors(jsonFallbacks(mux, a))))
	defer srv.Close()

	for _, path := range []string{"/boom", "/boom-handler"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || strings.TrimSpace(string(body)) != `{"error":"internal server error"}` {
			t.Errorf("GET %s: %d %s, want 500 {\"error\":\"internal server error\"}", path, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		if strings.Contains(string(body), "kaboom") || strings.Contains(string(body), "goroutine") {
			t.Errorf("GET %s leaked panic details: %s", path, body)
		}
	}
	// The server keeps serving after a panic.
	resp, err := http.Get(srv.URL + "/fine")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /fine after panics: %v %v", resp, err)
	}
	resp.Body.Close()

	out := logs.String()
	for _, want := range []string{"panic serving request", "kaboom secret detail", "recover_internal_test.go", "status=500"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

var errSentinel = sentinel("sentinel panic value")

type sentinel string

func (s sentinel) Error() string { return string(s) }
