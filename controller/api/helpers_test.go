package api_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// Field sets of the objects the API reference shows, exactly.
var (
	userFields       = []string{"createdAt", "email", "id", "name", "role", "updatedAt", "verified"}
	workspaceFields  = []string{"createdAt", "description", "id", "name", "ownerId", "settings", "updatedAt"}
	memberFields     = []string{"acceptedAt", "createdAt", "email", "id", "invitedAt", "meta", "role", "updatedAt", "userId", "workspaceId"}
	invitationFields = []string{"invitedAt", "role", "workspaceId", "workspaceName"}
)

// wantError checks that r is a JSON error with the status and a message
// containing every fragment (case-insensitive), and returns the body.
func wantError(t testing.TB, r *testenv.Response, status int, fragments ...string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json; body %s", ct, r.Body)
	}
	body := r.Map(t)
	msg, _ := body["error"].(string)
	if msg == "" {
		t.Fatalf("body %s has no error message", r.Body)
	}
	for _, f := range fragments {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(f)) {
			t.Fatalf("error %q does not mention %q", msg, f)
		}
	}
	return body
}

// wantKeys checks that obj has exactly the given keys.
func wantKeys(t testing.TB, what string, obj map[string]any, keys []string) {
	t.Helper()
	got := slices.Sorted(maps.Keys(obj))
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(got, want) {
		t.Fatalf("%s has fields %v, want exactly %v", what, got, want)
	}
}

// wantTime checks that v is an RFC 3339 UTC time (with Z) and returns it.
func wantTime(t testing.TB, what string, v any) time.Time {
	t.Helper()
	s, ok := v.(string)
	if !ok || !strings.HasSuffix(s, "Z") {
		t.Fatalf("%s = %#v, want an RFC 3339 UTC string", what, v)
	}
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s = %q: %v", what, s, err)
	}
	return ts
}

// num reads a JSON number field as int64.
func num(t testing.TB, obj map[string]any, key string) int64 {
	t.Helper()
	f, ok := obj[key].(float64)
	if !ok {
		t.Fatalf("field %q = %#v, want a number (in %v)", key, obj[key], obj)
	}
	return int64(f)
}

// listOf decodes a {"data":[...]} body.
func listOf(t testing.TB, r *testenv.Response) []map[string]any {
	t.Helper()
	var out struct {
		Data []map[string]any `json:"data"`
	}
	r.JSON(t, &out)
	if out.Data == nil {
		t.Fatalf("body %s has no data array", r.Body)
	}
	return out.Data
}

// wsPath builds a workspace-scoped path.
func wsPath(id int64, rest ...string) string {
	p := fmt.Sprintf("/workspaces/%d", id)
	for _, s := range rest {
		p += "/" + s
	}
	return p
}

// login posts credentials and returns the response.
func login(env *testenv.Env, email, password string, header map[string]string) *testenv.Response {
	return env.Do(testenv.Request{Method: http.MethodPost, Path: "/auth/login",
		Body: map[string]string{"email": email, "password": password}, Header: header})
}

// memberOf finds the member entry of a user (by email) in a workspace.
func memberOf(t testing.TB, env *testenv.Env, token string, wsID int64, email string) map[string]any {
	t.Helper()
	for _, m := range listOf(t, env.Call("GET", wsPath(wsID, "members"), token, nil, http.StatusOK)) {
		if m["email"] == email {
			return m
		}
	}
	t.Fatalf("%s is not in the member list of workspace %d", email, wsID)
	return nil
}

// roleOf returns the caller's my_role in a workspace.
func roleOf(t testing.TB, env *testenv.Env, token string, wsID int64) string {
	t.Helper()
	var ws struct {
		MyRole string `json:"my_role"`
	}
	env.Call("GET", wsPath(wsID), token, nil, http.StatusOK).JSON(t, &ws)
	return ws.MyRole
}

// mustJSON marshals v for raw bodies.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
