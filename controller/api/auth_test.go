package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		r := env.Call("POST", "/auth/register", "", map[string]any{
			"email": "  Ada.Lovelace@Example.COM ", "password": "analytical engine", "name": " Ada ",
			"role": "ADMIN", "verified": true, "labels": map[string]string{"team": "math"}, "metadata": map[string]any{},
		}, http.StatusCreated)
		body := r.Map(t)
		wantKeys(t, "register response", body, []string{"data", "token"})
		user, _ := body["data"].(map[string]any)
		wantKeys(t, "User", user, userFields)
		if user["email"] != "ada.lovelace@example.com" {
			t.Errorf("email = %v, want trimmed and lower-cased", user["email"])
		}
		if user["role"] != "USER" {
			t.Errorf("role = %v: a role in the register body must be ignored", user["role"])
		}
		if user["name"] != "Ada" || user["verified"] != false || num(t, user, "id") <= 0 {
			t.Errorf("user = %v", user)
		}
		created := wantTime(t, "createdAt", user["createdAt"])
		if time.Since(created) > time.Minute || time.Since(created) < -time.Minute {
			t.Errorf("createdAt %v is not now", created)
		}
		wantTime(t, "updatedAt", user["updatedAt"])

		// The token is a working session for that user.
		me := env.Call("GET", "/auth/me", body["token"].(string), nil, http.StatusOK).Map(t)
		if me["id"] != user["id"] || me["email"] != user["email"] {
			t.Errorf("/auth/me = %v, want the registered user %v", me, user)
		}

		// The same address in another spelling is a duplicate.
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/auth/register",
			Body: map[string]string{"email": "ADA.LOVELACE@example.com", "password": "another password"}}),
			http.StatusConflict, "exists")

		huge := `{"email":"big@example.com","password":"long enough","name":"` + strings.Repeat("x", 1<<20) + `"}`
		for _, tc := range []struct {
			name        string
			body        any
			contentType string
			status      int
			mentions    []string
		}{
			{"missing email", map[string]string{"password": "long enough"}, "", 400, []string{"email"}},
			{"empty body", "", "", 400, []string{"email"}},
			{"bad email", map[string]string{"email": "not-an-email", "password": "long enough"}, "", 400, []string{"email"}},
			{"email with display name", map[string]string{"email": "Bob <bob@example.com>", "password": "long enough"}, "", 400, []string{"email"}},
			{"email without domain dot", map[string]string{"email": "bob@localhost", "password": "long enough"}, "", 400, []string{"email"}},
			{"missing password", map[string]string{"email": "p1@example.com"}, "", 400, []string{"password"}},
			{"short password", map[string]string{"email": "p2@example.com", "password": "1234567"}, "", 400, []string{"password", "8"}},
			{"password over 1024 bytes", map[string]string{"email": "p9@example.com", "password": strings.Repeat("p", 1025)}, "", 400, []string{"password"}},
			{"email not a string", `{"email":5,"password":"long enough"}`, "", 400, []string{"email", "string"}},
			{"labels not an object", map[string]any{"email": "p3@example.com", "password": "long enough", "labels": []int{1}}, "", 400, []string{"labels"}},
			{"name too long", map[string]any{"email": "p4@example.com", "password": "long enough", "name": strings.Repeat("n", 201)}, "", 400, []string{"name"}},
			{"malformed JSON", `{"email":"p5@example.com",`, "", 400, []string{"JSON"}},
			{"trailing garbage", `{"email":"p6@example.com","password":"long enough"} x`, "", 400, []string{"JSON"}},
			{"array body", `[1,2]`, "", 400, []string{"object"}},
			{"null body", `null`, "", 400, []string{"object"}},
			{"wrong content type", `{"email":"p7@example.com","password":"long enough"}`, "text/plain", 400, []string{"Content-Type"}},
			{"form content type", `email=p8@example.com`, "application/x-www-form-urlencoded", 400, []string{"Content-Type"}},
			{"body over 1 MiB", huge, "", 413, []string{"too large"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				env := env.For(t)
				req := testenv.Request{Method: "POST", Path: "/auth/register", Body: tc.body}
				if tc.contentType != "" {
					req.Header = map[string]string{"Content-Type": tc.contentType}
				}
				wantError(t, env.Do(req), tc.status, tc.mentions...)
			})
		}
	})
}

func TestRegisterAcceptsJSONWithCharset(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite)
	r := env.Do(testenv.Request{Method: "POST", Path: "/auth/register",
		Body:   `{"email":"charset@example.com","password":"long enough"}`,
		Header: map[string]string{"Content-Type": "application/json; charset=utf-8"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("status %d, want 201; body %s", r.Status, r.Body)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()

		r := login(env, "  "+strings.ToUpper(u.Email)+" ", testenv.Password, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("login: status %d, want 200; body %s", r.Status, r.Body)
		}
		body := r.Map(t)
		wantKeys(t, "login response", body, []string{"data", "token"})
		wantKeys(t, "User", body["data"].(map[string]any), userFields)
		token := body["token"].(string)
		if token == u.Token {
			t.Error("login returned the register token; want a new session")
		}
		if me := env.Call("GET", "/auth/me", token, nil, http.StatusOK).Map(t); num(t, me, "id") != u.ID {
			t.Errorf("/auth/me with the login token = %v, want user %d", me, u.ID)
		}

		// No account enumeration: a wrong password and an unknown email get
		// byte-identical answers.
		wrong := login(env, u.Email, "wrong password", nil)
		unknown := login(env, "nobody-"+u.Email, testenv.Password, nil)
		for _, r := range []*testenv.Response{wrong, unknown} {
			if r.Status != http.StatusUnauthorized || string(r.Body) != `{"error":"invalid email or password"}`+"\n" {
				t.Errorf("failed login: %d %q, want 401 {\"error\":\"invalid email or password\"}", r.Status, r.Body)
			}
		}

		for _, tc := range []struct {
			name     string
			body     any
			mentions string
		}{
			{"missing password", map[string]string{"email": u.Email}, "password"},
			{"missing email", map[string]string{"password": "whatever1"}, "email"},
			{"malformed JSON", `{"email":`, "JSON"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := env.For(t)
				wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/auth/login", Body: tc.body}), http.StatusBadRequest, tc.mentions)
			})
		}
	})
}

func TestLogoutRevokesOnlyThatSession(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		other := login(env, u.Email, testenv.Password, nil).Map(t)["token"].(string)

		r := env.Call("POST", "/auth/logout", u.Token, nil, http.StatusOK)
		if string(r.Body) != `{"ok":true}`+"\n" {
			t.Errorf("logout body %q, want {\"ok\":true}", r.Body)
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/auth/me", Token: u.Token}), http.StatusUnauthorized)
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/auth/logout", Token: u.Token}), http.StatusUnauthorized)
		env.Call("GET", "/auth/me", other, nil, http.StatusOK)
	})
}

func TestMeInvitationsEmptyIsArray(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		r := env.Call("GET", "/auth/me/invitations", u.Token, nil, http.StatusOK)
		if got := strings.TrimSpace(string(r.Body)); got != `{"data":[]}` {
			t.Errorf("invitations of a new user = %s, want {\"data\":[]}", got)
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/auth/me/invitations"}), http.StatusUnauthorized)
	})
}

// TestTokenEdgeCases forges tokens from a real one: same session and user,
// changing one thing at a time, so each 401 is caused by that one thing.
func TestTokenEdgeCases(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		victim := env.NewUser()
		key := []byte(env.Config.JWTSecret)

		var real jwt.MapClaims
		if _, _, err := jwt.NewParser().ParseUnverified(u.Token, &real); err != nil {
			t.Fatalf("parse issued token: %v", err)
		}
		for _, claim := range []string{"sub", "sid", "iat", "exp"} {
			if _, ok := real[claim]; !ok {
				t.Errorf("issued token lacks the %q claim: %v", claim, real)
			}
		}
		if real["sub"] != strconv.FormatInt(u.ID, 10) {
			t.Errorf("sub = %v, want %d", real["sub"], u.ID)
		}
		claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
			c := jwt.MapClaims{}
			for k, v := range real {
				c[k] = v
			}
			change(c)
			return c
		}
		sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
			s, err := jwt.NewWithClaims(method, c).SignedString(key)
			if err != nil {
				t.Fatalf("sign: %v", err)
			}
			return s
		}
		same := func(jwt.MapClaims) {}
		future := func(c jwt.MapClaims) { c["exp"] = time.Now().Add(30 * time.Minute).Unix() }

		// The control: a re-signed copy of the real claims is accepted, so
		// the forgeries below fail for the reason they name.
		env.Call("GET", "/auth/me", sign(jwt.SigningMethodHS256, key, claims(future)), nil, http.StatusOK)

		for _, tc := range []struct{ name, header string }{
			{"no header", ""},
			{"empty bearer", "Bearer "},
			{"other scheme", "Basic " + u.Token},
			{"garbage", "Bearer not.a.jwt"},
			{"truncated signature", "Bearer " + u.Token[:len(u.Token)-4]},
			{"another key", "Bearer " + sign(jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), claims(same))},
			{"expired", "Bearer " + sign(jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) {
				c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
				c["exp"] = time.Now().Add(-time.Minute).Unix()
			}))},
			{"no exp", "Bearer " + sign(jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { delete(c, "exp") }))},
			{"alg none", "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(same))},
			{"HS512 with the right key", "Bearer " + sign(jwt.SigningMethodHS512, key, claims(same))},
			{"other user's sub", "Bearer " + sign(jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) {
				c["sub"] = strconv.FormatInt(victim.ID, 10)
			}))},
			{"unknown session", "Bearer " + sign(jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["sid"] = "0123456789abcdef" }))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				env := env.For(t)
				req := testenv.Request{Method: "GET", Path: "/auth/me"}
				if tc.header != "" {
					req.Header = map[string]string{"Authorization": tc.header}
				}
				wantError(t, env.Do(req), http.StatusUnauthorized)
			})
		}
	})
}

// TestProtectedEndpointsNeedToken checks every user endpoint answers 401
// JSON without a token (and never 404 or 500).
func TestProtectedEndpointsNeedToken(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite)
	for _, ep := range []string{
		"POST /auth/logout", "GET /auth/me", "GET /auth/me/invitations",
		"GET /workspaces", "POST /workspaces", "GET /workspaces/1", "PATCH /workspaces/1", "DELETE /workspaces/1",
		"GET /workspaces/1/members", "POST /workspaces/1/members", "PATCH /workspaces/1/members/1",
		"DELETE /workspaces/1/members/1", "POST /workspaces/1/accept-invite", "POST /workspaces/1/transfer-ownership",
	} {
		method, path, _ := strings.Cut(ep, " ")
		t.Run(fmt.Sprintf("%s %s", method, path), func(t *testing.T) {
			wantError(t, env.For(t).Do(testenv.Request{Method: method, Path: path}), http.StatusUnauthorized, "token")
		})
	}
}
