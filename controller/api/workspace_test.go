package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

func TestCreateWorkspace(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		ws := env.Call("POST", "/workspaces", u.Token, map[string]any{
			"name": "  Production ", "displayName": "Prod network", "settings": map[string]any{"theme": "dark", "n": 1},
			"ownerId": 999999, "unknownField": true,
		}, http.StatusCreated).Map(t)
		wantKeys(t, "Workspace", ws, append(slices.Clone(workspaceFields), "my_role"))
		if ws["name"] != "Production" || ws["description"] != "Prod network" || ws["my_role"] != "OWNER" {
			t.Errorf("created workspace = %v", ws)
		}
		if num(t, ws, "ownerId") != u.ID {
			t.Errorf("ownerId = %v, want the creator %d (body values are ignored)", ws["ownerId"], u.ID)
		}
		if s, _ := ws["settings"].(map[string]any); s["theme"] != "dark" {
			t.Errorf("settings = %v", ws["settings"])
		}
		wantTime(t, "createdAt", ws["createdAt"])
		wantTime(t, "updatedAt", ws["updatedAt"])
		got := env.Call("GET", wsPath(num(t, ws, "id")), u.Token, nil, http.StatusOK).Map(t)
		if got["name"] != "Production" || got["description"] != "Prod network" || got["createdAt"] != ws["createdAt"] {
			t.Errorf("GET after create = %v, want %v", got, ws)
		}
		// The creator is the OWNER member.
		if m := memberOf(t, env, u.Token, num(t, ws, "id"), u.Email); m["role"] != "OWNER" || num(t, m, "userId") != u.ID {
			t.Errorf("creator's member entry = %v", m)
		}
		// snake_case spelling of the alias, and settings defaulting to {}.
		ws2 := env.Call("POST", "/workspaces", u.Token, map[string]any{"name": "B", "display_name": "snake"}, http.StatusCreated).Map(t)
		if ws2["description"] != "snake" || fmt.Sprint(ws2["settings"]) != "map[]" {
			t.Errorf("workspace with display_name = %v", ws2)
		}

		for _, tc := range []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"missing name", map[string]any{"description": "x"}, 400, "name"},
			{"empty name", map[string]any{"name": ""}, 400, "name"},
			{"blank name", map[string]any{"name": "   "}, 400, "name"},
			{"name of 201 characters", map[string]any{"name": strings.Repeat("n", 201)}, 400, "name"},
			{"name of 200 characters", map[string]any{"name": strings.Repeat("é", 200)}, 201, ""},
			{"name of 1 character", map[string]any{"name": "x"}, 201, ""},
			{"name not a string", map[string]any{"name": 5}, 400, "name"},
			{"settings an array", map[string]any{"name": "x", "settings": []int{1}}, 400, "settings"},
			{"settings a string", map[string]any{"name": "x", "settings": "dark"}, 400, "settings"},
			{"malformed JSON", `{"name":`, 400, "JSON"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				env := env.For(t)
				r := env.Do(testenv.Request{Method: "POST", Path: "/workspaces", Token: u.Token, Body: tc.body})
				if tc.status == http.StatusCreated {
					if r.Status != tc.status {
						t.Fatalf("status %d, want 201; body %s", r.Status, r.Body)
					}
					return
				}
				wantError(t, r, tc.status, tc.field)
			})
		}
	})
}

func TestListWorkspaces(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		other := env.NewUser()
		create := func(owner testenv.User, name, desc string) int64 {
			var ws struct{ ID int64 }
			env.Call("POST", "/workspaces", owner.Token, map[string]any{"name": name, "description": desc}, http.StatusCreated).JSON(t, &ws)
			return ws.ID
		}
		alpha := create(u, "Alpha Prod", "100% uptime")
		betaLab := create(u, "beta_lab", "")
		betaX := create(u, "BetaXlab", "Main OFFICE")
		plain := create(u, "plain", "nothing special")
		unicode := create(u, "ÉNERGIE Ærø", "")
		hidden := create(other, "Other's alpha", "not shared")
		deleted := create(u, "alpha deleted", "")
		env.Call("DELETE", wsPath(deleted), u.Token, nil, http.StatusOK)
		// A pending invitation (unknown email) does not list the workspace.
		env.Call("POST", wsPath(hidden, "members"), other.Token, map[string]any{"email": "nobody-yet@example.com"}, http.StatusCreated)

		type page struct {
			Data   []map[string]any `json:"data"`
			Total  int              `json:"total"`
			Limit  int              `json:"limit"`
			Offset int              `json:"offset"`
		}
		get := func(t *testing.T, query string) page {
			var p page
			env.For(t).Call("GET", "/workspaces"+query, u.Token, nil, http.StatusOK).JSON(t, &p)
			if p.Data == nil {
				t.Fatalf("GET /workspaces%s: data is null", query)
			}
			return p
		}
		ids := func(p page) []int64 {
			var out []int64
			for _, ws := range p.Data {
				out = append(out, int64(ws["id"].(float64)))
			}
			return out
		}

		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{alpha, betaLab, betaX, plain, unicode}},
			{"?q=%C3%A9nergie", []int64{unicode}},  // "énergie": case folding beyond ASCII
			{"?q=%C3%A6R%C3%B8", []int64{unicode}}, // "æRø"
			{"?q=alpha", []int64{alpha}},
			{"?q=ALPHA", []int64{alpha}},
			{"?q=office", []int64{betaX}},
			{"?q=beta", []int64{betaLab, betaX}},
			{"?q=%25", []int64{alpha}},   // literal %
			{"?q=_", []int64{betaLab}},   // literal _
			{"?q=a_l", []int64{betaLab}}, // _ is not a wildcard: "BetaXlab" does not match
			{"?q=%5C", nil},              // a backslash matches nothing here and is no escape
			{"?q=zzz", nil},
			{"?q=+uptime+", []int64{alpha}},
		} {
			t.Run("q "+tc.query, func(t *testing.T) {
				p := get(t, tc.query)
				if got := ids(p); !slices.Equal(got, tc.want) || p.Total != len(tc.want) {
					t.Errorf("ids %v total %d, want %v total %d", got, p.Total, tc.want, len(tc.want))
				}
				if p.Limit != 50 || p.Offset != 0 {
					t.Errorf("limit %d offset %d, want defaults 50 and 0", p.Limit, p.Offset)
				}
			})
		}

		t.Run("items", func(t *testing.T) {
			p := get(t, "?q=alpha")
			wantKeys(t, "listed Workspace", p.Data[0], append(slices.Clone(workspaceFields), "my_role"))
		})

		t.Run("pages", func(t *testing.T) {
			all := ids(get(t, ""))
			var paged []int64
			for offset := 0; offset < len(all); offset += 3 {
				p := get(t, fmt.Sprintf("?limit=3&offset=%d", offset))
				if p.Total != len(all) || p.Limit != 3 || p.Offset != offset {
					t.Fatalf("page at %d: total %d limit %d offset %d", offset, p.Total, p.Limit, p.Offset)
				}
				paged = append(paged, ids(p)...)
			}
			if !slices.Equal(paged, all) {
				t.Errorf("pages %v, want %v", paged, all)
			}
			if p := get(t, "?offset=100"); len(p.Data) != 0 || p.Total != len(all) {
				t.Errorf("past the end: %d items, total %d", len(p.Data), p.Total)
			}
			if p := get(t, "?limit=1000"); p.Limit != 200 || len(p.Data) != len(all) {
				t.Errorf("limit=1000: limit %d, %d items; want clamped to 200", p.Limit, len(p.Data))
			}
			if p := get(t, "?limit=200"); p.Limit != 200 {
				t.Errorf("limit=200: limit %d", p.Limit)
			}
		})

		for _, tc := range []struct{ query, field string }{
			{"?limit=0", "limit"}, {"?limit=-1", "limit"}, {"?limit=abc", "limit"}, {"?limit=1.5", "limit"},
			{"?offset=-1", "offset"}, {"?offset=x", "offset"},
		} {
			t.Run("bad "+tc.query, func(t *testing.T) {
				wantError(t, env.For(t).Do(testenv.Request{Method: "GET", Path: "/workspaces" + tc.query, Token: u.Token}), http.StatusBadRequest, tc.field)
			})
		}

		t.Run("another user sees only their own", func(t *testing.T) {
			var p page
			env.For(t).Call("GET", "/workspaces", other.Token, nil, http.StatusOK).JSON(t, &p)
			if got := ids(p); !slices.Equal(got, []int64{hidden}) {
				t.Errorf("other's list %v, want [%d]", got, hidden)
			}
		})
	})
}

func TestGetWorkspace(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, viewer, stranger := env.NewUser(), env.NewUser(), env.NewUser()
		id := env.NewWorkspace(owner, "Shared")
		env.AddMember(owner, id, viewer, "VIEWER")

		for _, tc := range []struct {
			who  testenv.User
			role string
		}{{owner, "OWNER"}, {viewer, "VIEWER"}} {
			ws := env.Call("GET", wsPath(id), tc.who.Token, nil, http.StatusOK).Map(t)
			wantKeys(t, "Workspace", ws, append(slices.Clone(workspaceFields), "my_role"))
			if ws["my_role"] != tc.role || num(t, ws, "id") != id || num(t, ws, "ownerId") != owner.ID {
				t.Errorf("workspace for %s = %v", tc.role, ws)
			}
		}
		// A stranger cannot tell an existing workspace from a missing one.
		notMine := env.Do(testenv.Request{Method: "GET", Path: wsPath(id), Token: stranger.Token})
		missing := env.Do(testenv.Request{Method: "GET", Path: wsPath(id + 1000), Token: stranger.Token})
		wantError(t, notMine, http.StatusNotFound)
		wantError(t, missing, http.StatusNotFound)
		if strings.ReplaceAll(string(notMine.Body), fmt.Sprint(id), "N") != strings.ReplaceAll(string(missing.Body), fmt.Sprint(id+1000), "N") {
			t.Errorf("non-member %s and missing %s answers differ", notMine.Body, missing.Body)
		}
		// Every workspace path, with or without a valid sub-id, is 404 to a
		// stranger: existence is decided before anything else is parsed.
		ownerMember := itoa(num(t, memberOf(t, env, owner.Token, id, owner.Email), "id"))
		for _, ep := range []string{"GET", "PATCH", "DELETE", "GET members", "POST members", "PATCH members/" + ownerMember,
			"DELETE members/" + ownerMember, "PATCH members/abc", "DELETE members/0", "POST transfer-ownership"} {
			method, sub, _ := strings.Cut(ep, " ")
			path := wsPath(id)
			if sub != "" {
				path += "/" + sub
			}
			wantError(t, env.Do(testenv.Request{Method: method, Path: path, Token: stranger.Token, Body: `{"role":"ADMIN","name":"x"}`}), http.StatusNotFound)
		}
		for _, bad := range []string{"abc", "0", "-1", "1.5"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/workspaces/" + bad, Token: owner.Token}), http.StatusBadRequest, "id")
		}
	})
}

func TestPatchWorkspace(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, admin := env.NewUser(), env.NewUser()
		id := env.NewWorkspace(owner, "Before")
		env.AddMember(owner, id, admin, "ADMIN")
		created := env.Call("GET", wsPath(id), owner.Token, nil, http.StatusOK).Map(t)

		steps := []struct {
			name string
			body any
			want map[string]any // expected fields after the step
		}{
			{"name", map[string]any{"name": " After "}, map[string]any{"name": "After", "description": ""}},
			{"description", map[string]any{"description": "first"}, map[string]any{"name": "After", "description": "first"}},
			{"displayName", map[string]any{"displayName": "camel"}, map[string]any{"description": "camel"}},
			{"display_name", map[string]any{"display_name": "snake"}, map[string]any{"description": "snake"}},
			{"settings", map[string]any{"settings": map[string]any{"k": "v"}}, map[string]any{"name": "After", "description": "snake", "settings": map[string]any{"k": "v"}}},
			{"settings replaced", map[string]any{"settings": map[string]any{"other": true}}, map[string]any{"settings": map[string]any{"other": true}}},
			{"empty body changes nothing", map[string]any{}, map[string]any{"name": "After", "description": "snake", "settings": map[string]any{"other": true}}},
		}
		for _, st := range steps {
			patched := env.Call("PATCH", wsPath(id), admin.Token, st.body, http.StatusOK).Map(t)
			got := env.Call("GET", wsPath(id), owner.Token, nil, http.StatusOK).Map(t)
			for k, v := range st.want {
				if fmt.Sprint(patched[k]) != fmt.Sprint(v) || fmt.Sprint(got[k]) != fmt.Sprint(v) {
					t.Errorf("after %s: %s = %v (PATCH answer) / %v (GET), want %v", st.name, k, patched[k], got[k], v)
				}
			}
			if patched["my_role"] != "ADMIN" {
				t.Errorf("PATCH answer my_role = %v, want the caller's ADMIN", patched["my_role"])
			}
			if wantTime(t, "updatedAt", got["updatedAt"]).Before(wantTime(t, "createdAt", created["createdAt"])) {
				t.Errorf("updatedAt %v before createdAt %v", got["updatedAt"], created["createdAt"])
			}
		}

		before := env.Call("GET", wsPath(id), owner.Token, nil, http.StatusOK).Body
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"empty name", map[string]any{"name": ""}, "name"},
			{"long name", map[string]any{"name": strings.Repeat("n", 201)}, "name"},
			{"settings array", map[string]any{"settings": []string{"a"}}, "settings"},
			{"settings number", map[string]any{"settings": 3}, "settings"},
			{"name and bad settings", map[string]any{"name": "Partial", "settings": "x"}, "settings"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := env.For(t)
				wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: wsPath(id), Token: owner.Token, Body: tc.body}), http.StatusBadRequest, tc.field)
				if after := env.Call("GET", wsPath(id), owner.Token, nil, http.StatusOK).Body; string(after) != string(before) {
					t.Errorf("a rejected PATCH changed the workspace: %s → %s", before, after)
				}
			})
		}
	})
}

func TestDeleteWorkspace(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, viewer := env.NewUser(), env.NewUser()
		id := env.NewWorkspace(owner, "Doomed")
		keep := env.NewWorkspace(owner, "Kept")
		env.AddMember(owner, id, viewer, "VIEWER")
		invitee := "late-" + viewer.Email
		env.Call("POST", wsPath(id, "members"), owner.Token, map[string]any{"email": invitee}, http.StatusCreated)

		r := env.Call("DELETE", wsPath(id), owner.Token, nil, http.StatusOK)
		if strings.TrimSpace(string(r.Body)) != `{"ok":true}` {
			t.Errorf("delete answered %s, want {\"ok\":true}", r.Body)
		}
		for _, who := range []testenv.User{owner, viewer} {
			for _, p := range []string{wsPath(id), wsPath(id, "members")} {
				wantError(t, env.Do(testenv.Request{Method: "GET", Path: p, Token: who.Token}), http.StatusNotFound)
			}
			var ids []int64
			for _, ws := range listOf(t, env.Call("GET", "/workspaces", who.Token, nil, http.StatusOK)) {
				ids = append(ids, num(t, ws, "id"))
			}
			if slices.Contains(ids, id) {
				t.Errorf("deleted workspace still listed: %v", ids)
			}
		}
		wantError(t, env.Do(testenv.Request{Method: "DELETE", Path: wsPath(id), Token: owner.Token}), http.StatusNotFound)
		wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: wsPath(id), Token: owner.Token, Body: map[string]any{"name": "revive"}}), http.StatusNotFound)
		env.Call("GET", wsPath(keep), owner.Token, nil, http.StatusOK)

		// A pending invitation to a deleted workspace is gone too.
		late := env.RegisterAs(invitee)
		if invs := listOf(t, env.Call("GET", "/auth/me/invitations", late.Token, nil, http.StatusOK)); len(invs) != 0 {
			t.Errorf("invitations to a deleted workspace: %v", invs)
		}
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(id, "accept-invite"), Token: late.Token, Body: map[string]any{}}), http.StatusForbidden)
	})
}
