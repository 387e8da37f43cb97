package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSign(t *testing.T) {
	t.Parallel()
	// The well-known HMAC-SHA256 example ("key", "The quick brown fox…").
	got := Sign("key", []byte("The quick brown fox jumps over the lazy dog"))
	want := "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestDenyList(t *testing.T) {
	t.Parallel()
	d := denyList(DefaultDeny)
	for _, s := range []string{"127.0.0.1", "127.1.2.3", "::1", "169.254.169.254", "fe80::1", "0.0.0.0", "::", "::ffff:127.0.0.1"} {
		if d.check(netip.MustParseAddr(s)) == nil {
			t.Errorf("%s is allowed by the default deny list", s)
		}
	}
	for _, s := range []string{"192.0.2.10", "10.0.0.1", "2001:db8::1", "8.8.8.8"} {
		if err := d.check(netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s is refused: %v", s, err)
		}
	}
	if err := denyList(nil).check(netip.MustParseAddr("127.0.0.1")); err != nil {
		t.Errorf("an empty list refuses %v", err)
	}
}

// TestDeniedAfterResolution: a name that resolves to loopback is refused
// at dial time, and the receiver never sees a request.
func TestDeniedAfterResolution(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := New(nil, 5*time.Second)
	for _, url := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		res := c.Post(context.Background(), url, []byte(`{}`), "")
		var denied *DeniedError
		if !errors.As(res.Err, &denied) || res.Retry || res.StatusCode != 0 {
			t.Errorf("%s: result %+v, want a final DeniedError", url, res)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the denied receiver got %d requests", hits.Load())
	}
}

func TestPost(t *testing.T) {
	t.Parallel()
	var redirected atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get(SignatureHeader) != Sign("s3cret", body) || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) })
	mux.HandleFunc("/elsewhere", func(http.ResponseWriter, *http.Request) { redirected.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c := New([]netip.Prefix{}, 5*time.Second)
	body := []byte(`{"event":"triggered"}`)
	cases := []struct {
		path   string
		status int
		ok     bool
		retry  bool
	}{
		{"/ok", 200, true, false},
		{"/fail", 502, false, true},
		{"/busy", 429, false, true},
		{"/gone", 404, false, false},
		{"/moved", 302, false, false},
	}
	for _, tc := range cases {
		res := c.Post(context.Background(), srv.URL+tc.path, body, Sign("s3cret", body))
		if res.StatusCode != tc.status || (res.Err == nil) != tc.ok || res.Retry != tc.retry || res.Duration <= 0 {
			t.Errorf("%s: %+v, want status %d ok %v retry %v", tc.path, res, tc.status, tc.ok, tc.retry)
		}
	}
	if redirected.Load() != 0 {
		t.Error("a redirect was followed")
	}
	if res := c.Post(context.Background(), "http://127.0.0.1:1/closed", body, ""); res.Err == nil || !res.Retry {
		t.Errorf("a refused connection should be retried: %+v", res)
	}
}
