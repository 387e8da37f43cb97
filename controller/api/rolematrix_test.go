package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// TestRoleMatrix: every workspace-scoped action × every relation of the
// caller to the workspace, with the exact status (and required_role on
// 403). Each cell gets a fresh workspace; a refused call must leave the
// workspace and its members exactly as they were, an allowed one must
// show its effect.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		people := map[string]testenv.User{}
		for _, who := range []string{"OWNER", "ADMIN", "USER", "VIEWER", "non-member", "target"} {
			people[who] = env.NewUser()
		}
		owner, target := people["OWNER"], people["target"]

		type fixture struct {
			ws           int64
			targetMember int64 // a USER member other than the caller
		}
		setup := func(t *testing.T, env *testenv.Env) fixture {
			ws := env.NewWorkspace(owner, "Matrix")
			for _, role := range []string{"ADMIN", "USER", "VIEWER"} {
				env.AddMember(owner, ws, people[role], role)
			}
			return fixture{ws: ws, targetMember: env.AddMember(owner, ws, target, "USER")}
		}
		var inviteSeq atomic.Int64

		type action struct {
			name   string
			call   func(f fixture) (method, path string, body any)
			effect func(t *testing.T, env *testenv.Env, f fixture) // after a 2xx
		}
		actions := []action{
			{"get workspace", func(f fixture) (string, string, any) { return "GET", wsPath(f.ws), nil }, nil},
			{"patch workspace", func(f fixture) (string, string, any) {
				return "PATCH", wsPath(f.ws), map[string]any{"name": "Renamed"}
			}, func(t *testing.T, env *testenv.Env, f fixture) {
				if n := env.Call("GET", wsPath(f.ws), owner.Token, nil, http.StatusOK).Map(t)["name"]; n != "Renamed" {
					t.Errorf("name after PATCH = %v", n)
				}
			}},
			{"delete workspace", func(f fixture) (string, string, any) { return "DELETE", wsPath(f.ws), nil },
				func(t *testing.T, env *testenv.Env, f fixture) {
					wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(f.ws), Token: owner.Token}), http.StatusNotFound)
				}},
			{"list members", func(f fixture) (string, string, any) { return "GET", wsPath(f.ws, "members"), nil }, nil},
			{"add member", func(f fixture) (string, string, any) {
				return "POST", wsPath(f.ws, "members"), map[string]any{"email": fmt.Sprintf("invitee%d@example.com", inviteSeq.Add(1)), "role": "VIEWER"}
			}, func(t *testing.T, env *testenv.Env, f fixture) {
				if n := len(listOf(t, env.Call("GET", wsPath(f.ws, "members"), owner.Token, nil, http.StatusOK))); n != 6 {
					t.Errorf("%d members after adding one, want 6", n)
				}
			}},
			{"patch member", func(f fixture) (string, string, any) {
				return "PATCH", wsPath(f.ws, "members", itoa(f.targetMember)), map[string]any{"role": "VIEWER"}
			}, func(t *testing.T, env *testenv.Env, f fixture) {
				if r := roleOf(t, env, target.Token, f.ws); r != "VIEWER" {
					t.Errorf("target role after PATCH = %s", r)
				}
			}},
			{"delete member", func(f fixture) (string, string, any) {
				return "DELETE", wsPath(f.ws, "members", itoa(f.targetMember)), nil
			}, func(t *testing.T, env *testenv.Env, f fixture) {
				wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(f.ws), Token: target.Token}), http.StatusNotFound)
			}},
			{"transfer ownership", func(f fixture) (string, string, any) {
				return "POST", wsPath(f.ws, "transfer-ownership"), map[string]any{"newOwnerUserId": target.ID}
			}, func(t *testing.T, env *testenv.Env, f fixture) {
				if r := roleOf(t, env, target.Token, f.ws); r != "OWNER" {
					t.Errorf("target role after transfer = %s", r)
				}
			}},
			// The one exception to "non-members get 404": accept-invite
			// answers 403 (no invitation), and members already joined.
			{"accept invite", func(f fixture) (string, string, any) {
				return "POST", wsPath(f.ws, "accept-invite"), map[string]any{}
			}, nil},
		}

		callers := []string{"non-member", "VIEWER", "USER", "ADMIN", "OWNER"}
		// want[action] lists, per caller above, "status" or "403 ROLE".
		want := map[string][5]string{
			"get workspace":      {"404", "200", "200", "200", "200"},
			"patch workspace":    {"404", "403 ADMIN", "403 ADMIN", "200", "200"},
			"delete workspace":   {"404", "403 OWNER", "403 OWNER", "403 OWNER", "200"},
			"list members":       {"404", "200", "200", "200", "200"},
			"add member":         {"404", "403 ADMIN", "403 ADMIN", "201", "201"},
			"patch member":       {"404", "403 ADMIN", "403 ADMIN", "200", "200"},
			"delete member":      {"404", "403 ADMIN", "403 ADMIN", "200", "200"},
			"transfer ownership": {"404", "403 OWNER", "403 OWNER", "403 OWNER", "200"},
			"accept invite":      {"403", "409", "409", "409", "409"},
		}
		if len(want) != len(actions) {
			t.Fatalf("matrix has %d rows for %d actions", len(want), len(actions))
		}

		for _, a := range actions {
			row, ok := want[a.name]
			if !ok {
				t.Fatalf("no expectations for %q", a.name)
			}
			for i, caller := range callers {
				t.Run(a.name+"/"+caller, func(t *testing.T) {
					t.Parallel()
					env := env.For(t)
					f := setup(t, env)
					snapshot := func() string {
						ws := env.Do(testenv.Request{Method: "GET", Path: wsPath(f.ws), Token: owner.Token})
						ms := env.Do(testenv.Request{Method: "GET", Path: wsPath(f.ws, "members"), Token: owner.Token})
						return fmt.Sprintf("%d %s %d %s", ws.Status, ws.Body, ms.Status, ms.Body)
					}
					before := snapshot()

					method, path, body := a.call(f)
					r := env.Do(testenv.Request{Method: method, Path: path, Token: people[caller].Token, Body: body})
					statusText, role, _ := strings.Cut(row[i], " ")
					status, _ := strconv.Atoi(statusText)
					if r.Status != status {
						t.Fatalf("%s %s as %s: status %d, want %d; body %s", method, path, caller, r.Status, status, r.Body)
					}
					if status >= 300 {
						b := wantError(t, r, status)
						if got, _ := b["required_role"].(string); got != role {
							t.Errorf("required_role = %q, want %q (body %s)", got, role, r.Body)
						}
						if after := snapshot(); after != before {
							t.Errorf("a refused call changed the workspace:\nbefore %s\nafter  %s", before, after)
						}
						return
					}
					if a.effect != nil {
						a.effect(t, env, f)
					}
				})
			}
		}
	})
}
