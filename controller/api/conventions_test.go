package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

func TestUnknownPathIsJSON404(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite)
	u := env.NewUser()
	for _, path := range []string{"/", "/nope", "/api/workspaces", "/workspaces/", "/workspaces/1/nope", "/auth", "/auth/me/nope", "/healthz/x"} {
		for _, token := range []string{"", u.Token} {
			r := env.Do(testenv.Request{Method: "GET", Path: path, Token: token})
			if r.Status != http.StatusNotFound || strings.TrimSpace(string(r.Body)) != `{"error":"not found"}` {
				t.Errorf("GET %s (token %v): %d %s, want 404 {\"error\":\"not found\"}", path, token != "", r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("GET %s: Content-Type %q", path, ct)
			}
		}
	}
}

func TestWrongMethodIsJSON405(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite)
	for _, tc := range []struct {
		method, path string
		allow        []string
	}{
		{"PUT", "/workspaces", []string{"GET", "POST"}},
		{"DELETE", "/healthz", []string{"GET"}},
		{"GET", "/auth/login", []string{"POST"}},
		{"PUT", "/workspaces/1", []string{"GET", "PATCH", "DELETE"}},
		{"GET", "/workspaces/1/accept-invite", []string{"POST"}},
		{"POST", "/workspaces/1/members/2", []string{"PATCH", "DELETE"}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := env.For(t).Do(testenv.Request{Method: tc.method, Path: tc.path})
			wantError(t, r, http.StatusMethodNotAllowed, tc.method)
			allow := r.Header.Get("Allow")
			for _, m := range tc.allow {
				if !strings.Contains(allow, m) {
					t.Errorf("Allow %q lacks %s", allow, m)
				}
			}
			if strings.Contains(allow, tc.method) {
				t.Errorf("Allow %q contains the refused method", allow)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		r := env.Call("GET", "/healthz", "", nil, http.StatusOK)
		if strings.TrimSpace(string(r.Body)) != `{"ok":true}` || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("healthz: %s (%s)", r.Body, r.Header.Get("Content-Type"))
		}
	})
}

func TestOriginChecks(t *testing.T) {
	t.Parallel()
	const panel = "https://panel.example.com"
	sameOrigin := func(env *testenv.Env) string { return env.URL }
	for _, tc := range []struct {
		name    string
		allowed []string
		origin  func(env *testenv.Env) string
		method  string
		status  int
		acao    string // expected Access-Control-Allow-Origin ("" = absent)
	}{
		{"no origin", nil, func(*testenv.Env) string { return "" }, "GET", 200, ""},
		{"same origin", nil, sameOrigin, "GET", 200, ""},
		{"foreign origin by default", nil, func(*testenv.Env) string { return panel }, "GET", 403, ""},
		{"foreign origin on a public route", nil, func(*testenv.Env) string { return "http://evil.example" }, "POST /auth/login", 403, ""},
		{"listed origin", []string{panel}, func(*testenv.Env) string { return panel }, "GET", 200, panel},
		{"listed origin, trailing slash in config", []string{panel + "/"}, func(*testenv.Env) string { return panel }, "GET", 200, panel},
		{"unlisted origin with a list", []string{panel}, func(*testenv.Env) string { return "https://other.example.com" }, "GET", 403, ""},
		{"same origin with a list", []string{panel}, sameOrigin, "GET", 200, ""},
		{"wildcard", []string{"*"}, func(*testenv.Env) string { return "https://any.example.org" }, "GET", 200, "https://any.example.org"},
		{"preflight of a listed origin", []string{panel}, func(*testenv.Env) string { return panel }, "OPTIONS", 204, panel},
		{"preflight of an unlisted origin", []string{panel}, func(*testenv.Env) string { return "https://other.example.com" }, "OPTIONS", 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testenv.Start(t, testenv.SQLite, testenv.WithAllowedOrigins(tc.allowed...))
			u := env.NewUser()
			req := testenv.Request{Method: "GET", Path: "/workspaces", Token: u.Token, Header: map[string]string{}}
			switch tc.method {
			case "OPTIONS":
				req = testenv.Request{Method: "OPTIONS", Path: "/workspaces", Header: map[string]string{
					"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}}
			case "POST /auth/login":
				req = testenv.Request{Method: "POST", Path: "/auth/login", Header: map[string]string{},
					Body: map[string]string{"email": u.Email, "password": testenv.Password}}
			}
			if o := tc.origin(env); o != "" {
				req.Header["Origin"] = o
			}
			r := env.Do(req)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.Status, tc.status, r.Body)
			}
			if tc.status == http.StatusForbidden {
				wantError(t, r, http.StatusForbidden, "origin")
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != tc.acao {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.acao)
			}
			if tc.acao != "" && !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
				t.Errorf("Vary = %q, want Origin", r.Header.Values("Vary"))
			}
			if tc.status == http.StatusNoContent {
				for h, want := range map[string]string{"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Authorization"} {
					if !strings.Contains(r.Header.Get(h), want) {
						t.Errorf("%s = %q, want it to include %s", h, r.Header.Get(h), want)
					}
				}
			}
		})
	}
}

// TestBodyConventions: the shared decoder on an authenticated endpoint.
func TestBodyConventions(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for _, tc := range []struct {
			name        string
			body        string
			contentType string
			status      int
			mentions    string
		}{
			{"just under 1 MiB", `{"name":"big","description":"` + strings.Repeat("d", 1<<20-40) + `"}`, "", 201, ""},
			{"over 1 MiB", `{"name":"big","description":"` + strings.Repeat("d", 1<<20) + `"}`, "", 413, "too large"},
			{"malformed", `{"name":"x"`, "", 400, "JSON"},
			{"wrong type", `{"name":["x"]}`, "", 400, "name"},
			{"wrong type, camelCase key named as sent", `{"name":"x","displayName":7}`, "", 400, "displayName"},
			{"XML", `<name>x</name>`, "application/xml", 400, "Content-Type"},
			{"vendor JSON type", `{"name":"vendor"}`, "application/vnd.netwatcher+json", 201, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := env.For(t)
				req := testenv.Request{Method: "POST", Path: "/workspaces", Token: u.Token, Body: tc.body}
				if tc.contentType != "" {
					req.Header = map[string]string{"Content-Type": tc.contentType}
				}
				r := env.Do(req)
				if tc.status < 300 {
					if r.Status != tc.status {
						t.Fatalf("status %d, want %d; body %.200s", r.Status, tc.status, r.Body)
					}
					return
				}
				wantError(t, r, tc.status, tc.mentions)
			})
		}
	})
}

// TestBadInputIsNever500: text PostgreSQL cannot store (NUL, invalid UTF-8)
// and out-of-range numbers are input errors on every backend.
func TestBadInputIsNever500(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		ws := env.NewWorkspace(u, "Text")
		creds := `{"email":"` + u.Email + `","password":"` + testenv.Password + `"}`
		for _, tc := range []struct {
			name     string
			req      testenv.Request
			status   int
			mentions string
		}{
			{"NUL in register name", testenv.Request{Method: "POST", Path: "/auth/register",
				Body: `{"email":"nul1@example.com","password":"long enough","name":"a\u0000b"}`}, 400, "name"},
			{"NUL nested in labels", testenv.Request{Method: "POST", Path: "/auth/register",
				Body: `{"email":"nul2@example.com","password":"long enough","labels":{"k":["x","\u0000"]}}`}, 400, "labels"},
			{"NUL in login email", testenv.Request{Method: "POST", Path: "/auth/login",
				Body: `{"email":"nul\u0000@example.com","password":"long enough"}`}, 400, "email"},
			{"NUL in a key", testenv.Request{Method: "POST", Path: "/workspaces", Token: u.Token,
				Body: `{"name":"ok","x\u0000":1}`}, 400, "NUL"},
			{"NUL in workspace name", testenv.Request{Method: "POST", Path: "/workspaces", Token: u.Token,
				Body: `{"name":"a\u0000b"}`}, 400, "name"},
			{"NUL in settings", testenv.Request{Method: "PATCH", Path: wsPath(ws), Token: u.Token,
				Body: `{"settings":{"k":"\u0000"}}`}, 400, "settings"},
			{"NUL in member meta", testenv.Request{Method: "POST", Path: wsPath(ws, "members"), Token: u.Token,
				Body: `{"email":"m@example.com","meta":{"\u0000":1}}`}, 400, "meta"},
			{"escaped backslash is not NUL", testenv.Request{Method: "POST", Path: "/workspaces", Token: u.Token,
				Body: `{"name":"a\\u0000b \"\\\\\" c"}`}, 201, ""},
			{"NUL in q", testenv.Request{Method: "GET", Path: "/workspaces?q=%00", Token: u.Token}, 400, "q"},
			{"invalid UTF-8 in q", testenv.Request{Method: "GET", Path: "/workspaces?q=%ff", Token: u.Token}, 400, "q"},
			{"huge number", testenv.Request{Method: "POST", Path: wsPath(ws, "transfer-ownership"), Token: u.Token,
				Body: `{"newOwnerUserId":1e30}`}, 400, "newOwnerUserId"},
			{"huge path id", testenv.Request{Method: "GET", Path: "/workspaces/99999999999999999999", Token: u.Token}, 400, "id"},
			{"huge limit", testenv.Request{Method: "GET", Path: "/workspaces?limit=99999999999999999999", Token: u.Token}, 400, "limit"},
			{"invalid UTF-8 user agent", testenv.Request{Method: "POST", Path: "/auth/login", Body: creds,
				Header: map[string]string{"User-Agent": "agent \xff\xfe"}}, 200, ""},
			{"user agent cut inside a character", testenv.Request{Method: "POST", Path: "/auth/login", Body: creds,
				Header: map[string]string{"User-Agent": strings.Repeat("a", 255) + "é"}}, 200, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := env.For(t).Do(tc.req)
				if tc.status < 300 {
					if r.Status != tc.status {
						t.Fatalf("status %d, want %d; body %s", r.Status, tc.status, r.Body)
					}
					return
				}
				wantError(t, r, tc.status, tc.mentions)
			})
		}
	})
}
