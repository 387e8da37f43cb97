package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

func TestInviteRegisteredUser(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, u, byID := env.NewUser(), env.NewUser(), env.NewUser()
		id := env.NewWorkspace(owner, "Team")

		m := env.Call("POST", wsPath(id, "members"), owner.Token,
			map[string]any{"email": "  " + strings.ToUpper(u.Email), "role": "viewer", "meta": map[string]any{"team": "noc"}},
			http.StatusCreated).Map(t)
		wantKeys(t, "Member", m, memberFields)
		if num(t, m, "userId") != u.ID || num(t, m, "workspaceId") != id || m["email"] != u.Email || m["role"] != "VIEWER" {
			t.Errorf("member = %v", m)
		}
		if meta, _ := m["meta"].(map[string]any); meta["team"] != "noc" {
			t.Errorf("meta = %v", m["meta"])
		}
		wantTime(t, "acceptedAt", m["acceptedAt"])
		wantTime(t, "invitedAt", m["invitedAt"])
		if roleOf(t, env, u.Token, id) != "VIEWER" {
			t.Error("a registered invitee is not a VIEWER member at once")
		}
		var listed []int64
		for _, ws := range listOf(t, env.Call("GET", "/workspaces", u.Token, nil, http.StatusOK)) {
			listed = append(listed, num(t, ws, "id"))
		}
		if !slices.Equal(listed, []int64{id}) {
			t.Errorf("invitee's workspaces %v, want [%d]", listed, id)
		}

		// By user id (the reference's userId field), with the default role.
		m2 := env.Call("POST", wsPath(id, "members"), owner.Token, map[string]any{"userId": byID.ID}, http.StatusCreated).Map(t)
		if m2["email"] != byID.Email || m2["role"] != "USER" || m2["acceptedAt"] == nil {
			t.Errorf("member added by userId = %v", m2)
		}

		// The member list shows everyone, members are Member objects.
		members := listOf(t, env.Call("GET", wsPath(id, "members"), u.Token, nil, http.StatusOK))
		if len(members) != 3 {
			t.Fatalf("members %v, want owner and two members", members)
		}
		for _, m := range members {
			wantKeys(t, "listed Member", m, memberFields)
		}

		for _, tc := range []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"same email again", map[string]any{"email": u.Email}, 409, "already"},
			{"same user by id", map[string]any{"userId": u.ID}, 409, "already"},
			{"the owner", map[string]any{"email": owner.Email}, 409, "already"},
			{"role OWNER", map[string]any{"email": "o@example.com", "role": "OWNER"}, 400, "OWNER"},
			{"role owner lower-case", map[string]any{"email": "o@example.com", "role": "owner"}, 400, "OWNER"},
			{"unknown role", map[string]any{"email": "o@example.com", "role": "GOD"}, 400, "role"},
			{"bad email", map[string]any{"email": "not an email"}, 400, "email"},
			{"neither email nor userId", map[string]any{"role": "USER"}, 400, "email"},
			{"unknown userId", map[string]any{"userId": 987654}, 400, "userId"},
			{"negative userId", map[string]any{"userId": -3}, 400, "userId"},
			{"email of another user than userId", map[string]any{"userId": u.ID, "email": byID.Email}, 400, "email"},
			{"meta not an object", map[string]any{"email": "o@example.com", "meta": []int{}}, 400, "meta"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := env.For(t)
				wantError(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(id, "members"), Token: owner.Token, Body: tc.body}), tc.status, tc.field)
			})
		}
		if n := len(listOf(t, env.Call("GET", wsPath(id, "members"), owner.Token, nil, http.StatusOK))); n != 3 {
			t.Errorf("rejected invitations changed the member count to %d", n)
		}
	})
}

func TestPendingInvitation(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, stranger := env.NewUser(), env.NewUser()
		id := env.NewWorkspace(owner, "Ops")
		second := env.NewWorkspace(owner, "Second")
		email := "newbie-" + owner.Email

		m := env.Call("POST", wsPath(id, "members"), owner.Token, map[string]any{"email": strings.ToUpper(email), "role": "ADMIN"}, http.StatusCreated).Map(t)
		wantKeys(t, "pending Member", m, memberFields)
		if num(t, m, "userId") != 0 || m["acceptedAt"] != nil || m["email"] != email || m["role"] != "ADMIN" {
			t.Errorf("pending member = %v, want userId 0, acceptedAt null", m)
		}
		env.Call("POST", wsPath(second, "members"), owner.Token, map[string]any{"email": email}, http.StatusCreated)
		pending := memberOf(t, env, owner.Token, id, email)
		if pending["acceptedAt"] != nil {
			t.Errorf("member list shows the invitation as accepted: %v", pending)
		}

		newbie := env.RegisterAs(email)
		invs := listOf(t, env.Call("GET", "/auth/me/invitations", newbie.Token, nil, http.StatusOK))
		if len(invs) != 2 {
			t.Fatalf("invitations %v, want 2", invs)
		}
		wantKeys(t, "Invitation", invs[0], invitationFields)
		if num(t, invs[0], "workspaceId") != id || invs[0]["workspaceName"] != "Ops" || invs[0]["role"] != "ADMIN" {
			t.Errorf("invitation = %v", invs[0])
		}
		wantTime(t, "invitedAt", invs[0]["invitedAt"])
		if others := listOf(t, env.Call("GET", "/auth/me/invitations", stranger.Token, nil, http.StatusOK)); len(others) != 0 {
			t.Errorf("someone else sees the invitations: %v", others)
		}

		// Not a member until accepted.
		if ws := listOf(t, env.Call("GET", "/workspaces", newbie.Token, nil, http.StatusOK)); len(ws) != 0 {
			t.Errorf("workspaces before accepting: %v", ws)
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(id), Token: newbie.Token}), http.StatusNotFound)

		accept := func(who testenv.User, ws int64, body any) *testenv.Response {
			return env.Do(testenv.Request{Method: "POST", Path: wsPath(ws, "accept-invite"), Token: who.Token, Body: body})
		}
		wantError(t, accept(newbie, id, map[string]any{"email": stranger.Email}), http.StatusForbidden)
		wantError(t, accept(newbie, id, map[string]any{"email": "bad email"}), http.StatusBadRequest, "email")
		wantError(t, accept(stranger, id, map[string]any{"email": stranger.Email}), http.StatusForbidden, "invitation")
		wantError(t, accept(stranger, id, map[string]any{"email": newbie.Email}), http.StatusForbidden)
		// No invitation to a workspace that does not exist either: the
		// answer does not reveal which ids exist.
		wantError(t, accept(stranger, id+1000, map[string]any{}), http.StatusForbidden, "invitation")

		r := accept(newbie, id, map[string]any{"email": " " + strings.ToUpper(email)})
		if r.Status != http.StatusOK {
			t.Fatalf("accept-invite: status %d; body %s", r.Status, r.Body)
		}
		am := r.Map(t)
		wantKeys(t, "accepted Member", am, memberFields)
		if num(t, am, "userId") != newbie.ID || num(t, am, "id") != num(t, m, "id") || am["role"] != "ADMIN" {
			t.Errorf("accepted member = %v", am)
		}
		wantTime(t, "acceptedAt", am["acceptedAt"])
		if roleOf(t, env, newbie.Token, id) != "ADMIN" {
			t.Error("after accepting, the invitee does not have the invited role")
		}
		ws := listOf(t, env.Call("GET", "/workspaces", newbie.Token, nil, http.StatusOK))
		if len(ws) != 1 || num(t, ws[0], "id") != id {
			t.Errorf("workspaces after accepting: %v", ws)
		}
		wantError(t, accept(newbie, id, map[string]any{}), http.StatusConflict)

		// The body's email is optional: the caller's own address is used.
		env.Call("POST", wsPath(second, "accept-invite"), newbie.Token, nil, http.StatusOK)
		if invs := listOf(t, env.Call("GET", "/auth/me/invitations", newbie.Token, nil, http.StatusOK)); len(invs) != 0 {
			t.Errorf("invitations after accepting both: %v", invs)
		}
	})
}

// TestMemberRules covers the ADMIN/OWNER rules of CONTRACT §3 beyond the
// role matrix: who may touch whom, leaving, and path scoping.
func TestMemberRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, admin, admin2, user, viewer := env.NewUser(), env.NewUser(), env.NewUser(), env.NewUser(), env.NewUser()
		type team struct {
			id                                 int64
			owner, admin, admin2, user, viewer int64 // member ids
		}
		newTeam := func() team {
			id := env.NewWorkspace(owner, "Team")
			return team{id: id,
				owner:  num(t, memberOf(t, env, owner.Token, id, owner.Email), "id"),
				admin:  env.AddMember(owner, id, admin, "ADMIN"),
				admin2: env.AddMember(owner, id, admin2, "ADMIN"),
				user:   env.AddMember(owner, id, user, "USER"),
				viewer: env.AddMember(owner, id, viewer, "VIEWER"),
			}
		}
		patch := func(who testenv.User, ws, member int64, role string) *testenv.Response {
			return env.Do(testenv.Request{Method: "PATCH", Path: wsPath(ws, "members", itoa(member)), Token: who.Token, Body: map[string]any{"role": role}})
		}
		remove := func(who testenv.User, ws, member int64) *testenv.Response {
			return env.Do(testenv.Request{Method: "DELETE", Path: wsPath(ws, "members", itoa(member)), Token: who.Token})
		}
		w := newTeam()

		t.Run("ADMIN cannot touch the OWNER or another ADMIN", func(t *testing.T) {
			for _, r := range []*testenv.Response{
				patch(admin, w.id, w.admin2, "USER"), remove(admin, w.id, w.admin2),
				patch(admin, w.id, w.owner, "ADMIN"), remove(admin, w.id, w.owner),
			} {
				if body := wantError(t, r, http.StatusForbidden); body["required_role"] != "OWNER" {
					t.Errorf("403 body %v, want required_role OWNER", body)
				}
			}
			if m := memberOf(t, env, owner.Token, w.id, admin2.Email); m["role"] != "ADMIN" {
				t.Errorf("admin2 after refused changes: %v", m)
			}
		})

		t.Run("ADMIN manages lower roles", func(t *testing.T) {
			w := newTeam()
			if m := patchOK(t, patch(admin, w.id, w.user, "viewer")); m["role"] != "VIEWER" || num(t, m, "id") != w.user {
				t.Errorf("re-roled member = %v", m)
			}
			if m := patchOK(t, patch(admin, w.id, w.viewer, "ADMIN")); m["role"] != "ADMIN" {
				t.Errorf("promoted member = %v", m)
			}
			if r := remove(admin, w.id, w.user); r.Status != http.StatusOK {
				t.Fatalf("ADMIN removing a USER: %d %s", r.Status, r.Body)
			}
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(w.id), Token: user.Token}), http.StatusNotFound)
		})

		t.Run("OWNER manages ADMINs", func(t *testing.T) {
			w := newTeam()
			if m := patchOK(t, patch(owner, w.id, w.admin, "USER")); m["role"] != "USER" {
				t.Errorf("demoted admin = %v", m)
			}
			if r := remove(owner, w.id, w.admin2); r.Status != http.StatusOK {
				t.Fatalf("OWNER removing an ADMIN: %d %s", r.Status, r.Body)
			}
			if roleOf(t, env, admin.Token, w.id) != "USER" {
				t.Error("demotion not visible to the demoted member")
			}
		})

		t.Run("the OWNER is changed only by transfer", func(t *testing.T) {
			wantError(t, patch(owner, w.id, w.owner, "ADMIN"), http.StatusBadRequest, "transfer")
			wantError(t, remove(owner, w.id, w.owner), http.StatusBadRequest, "transfer")
			if roleOf(t, env, owner.Token, w.id) != "OWNER" {
				t.Error("the owner lost the role")
			}
		})

		t.Run("OWNER cannot be assigned", func(t *testing.T) {
			for _, who := range []testenv.User{owner, admin} {
				wantError(t, patch(who, w.id, w.user, "OWNER"), http.StatusBadRequest, "OWNER")
			}
			wantError(t, patch(owner, w.id, w.user, ""), http.StatusBadRequest, "role")
			wantError(t, patch(owner, w.id, w.user, "ROOT"), http.StatusBadRequest, "role")
			if m := memberOf(t, env, owner.Token, w.id, user.Email); m["role"] != "USER" {
				t.Errorf("member after refused changes: %v", m)
			}
		})

		t.Run("any member may leave except the OWNER", func(t *testing.T) {
			w := newTeam()
			for _, tc := range []struct {
				who    testenv.User
				member int64
			}{{viewer, w.viewer}, {user, w.user}, {admin, w.admin}} {
				if r := remove(tc.who, w.id, tc.member); r.Status != http.StatusOK {
					t.Fatalf("%s leaving: %d %s", tc.who.Email, r.Status, r.Body)
				}
				wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(w.id), Token: tc.who.Token}), http.StatusNotFound)
			}
			wantError(t, remove(owner, w.id, w.owner), http.StatusBadRequest)
		})

		t.Run("an ADMIN may step down", func(t *testing.T) {
			w := newTeam()
			if m := patchOK(t, patch(admin, w.id, w.admin, "USER")); m["role"] != "USER" {
				t.Errorf("self-demoted admin = %v", m)
			}
			// Now a USER: no longer allowed to re-role anyone, even back.
			if body := wantError(t, patch(admin, w.id, w.admin, "ADMIN"), http.StatusForbidden); body["required_role"] != "ADMIN" {
				t.Errorf("403 body %v", body)
			}
		})

		t.Run("pending invitations can be re-roled and revoked", func(t *testing.T) {
			email := "pending-" + owner.Email
			p := env.Call("POST", wsPath(w.id, "members"), admin.Token, map[string]any{"email": email}, http.StatusCreated).Map(t)
			if m := patchOK(t, patch(admin, w.id, num(t, p, "id"), "VIEWER")); m["role"] != "VIEWER" || m["acceptedAt"] != nil {
				t.Errorf("re-roled invitation = %v", m)
			}
			if r := remove(admin, w.id, num(t, p, "id")); r.Status != http.StatusOK {
				t.Fatalf("revoking an invitation: %d %s", r.Status, r.Body)
			}
			late := env.RegisterAs(email)
			if invs := listOf(t, env.Call("GET", "/auth/me/invitations", late.Token, nil, http.StatusOK)); len(invs) != 0 {
				t.Errorf("revoked invitation still offered: %v", invs)
			}
		})

		t.Run("member ids are scoped to the workspace in the path", func(t *testing.T) {
			other := env.NewWorkspace(owner, "Other")
			foreign := env.AddMember(owner, other, user, "USER")
			wantError(t, patch(owner, w.id, foreign, "VIEWER"), http.StatusNotFound)
			wantError(t, remove(owner, w.id, foreign), http.StatusNotFound)
			wantError(t, remove(admin, w.id, 999999), http.StatusNotFound)
			wantError(t, env.Do(testenv.Request{Method: "DELETE", Path: wsPath(w.id, "members", "abc"), Token: owner.Token}), http.StatusBadRequest, "memberId")
			if m := memberOf(t, env, owner.Token, other, user.Email); m["role"] != "USER" {
				t.Errorf("member of the other workspace changed: %v", m)
			}
		})
	})
}

func TestTransferOwnership(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner, admin, viewer, outsider := env.NewUser(), env.NewUser(), env.NewUser(), env.NewUser()
		id := env.NewWorkspace(owner, "Handover")
		env.AddMember(owner, id, admin, "ADMIN")
		env.AddMember(owner, id, viewer, "VIEWER")
		pendingEmail := "pending-" + owner.Email
		env.Call("POST", wsPath(id, "members"), owner.Token, map[string]any{"email": pendingEmail}, http.StatusCreated)
		pending := env.RegisterAs(pendingEmail) // registered, invitation not accepted

		snapshot := func() string {
			ws := env.Call("GET", wsPath(id), viewer.Token, nil, http.StatusOK).Body
			ms := env.Call("GET", wsPath(id, "members"), viewer.Token, nil, http.StatusOK).Body
			return string(ws) + string(ms)
		}
		before := snapshot()
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"missing target", map[string]any{}, "newOwnerUserId"},
			{"self", map[string]any{"newOwnerUserId": owner.ID}, "own"},
			{"non-member", map[string]any{"newOwnerUserId": outsider.ID}, "member"},
			{"pending member", map[string]any{"newOwnerUserId": pending.ID}, "member"},
			{"unknown user", map[string]any{"newOwnerUserId": 987654}, "member"},
			{"not a number", map[string]any{"newOwnerUserId": "5"}, "newOwnerUserId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, env.For(t).Do(testenv.Request{Method: "POST", Path: wsPath(id, "transfer-ownership"), Token: owner.Token, Body: tc.body}), http.StatusBadRequest, tc.field)
			})
		}
		if after := snapshot(); after != before {
			t.Fatalf("refused transfers changed state:\n%s\n%s", before, after)
		}

		r := env.Call("POST", wsPath(id, "transfer-ownership"), owner.Token, map[string]any{"newOwnerUserId": viewer.ID}, http.StatusOK)
		if strings.TrimSpace(string(r.Body)) != `{"ok":true}` {
			t.Errorf("transfer answered %s", r.Body)
		}
		ws := env.Call("GET", wsPath(id), viewer.Token, nil, http.StatusOK).Map(t)
		if num(t, ws, "ownerId") != viewer.ID || ws["my_role"] != "OWNER" {
			t.Errorf("after transfer: %v", ws)
		}
		if roleOf(t, env, owner.Token, id) != "ADMIN" {
			t.Error("the previous owner is not ADMIN")
		}
		owners := 0
		for _, m := range listOf(t, env.Call("GET", wsPath(id, "members"), admin.Token, nil, http.StatusOK)) {
			if m["role"] == "OWNER" {
				owners++
			}
		}
		if owners != 1 {
			t.Errorf("%d OWNER members after transfer, want exactly 1", owners)
		}
		// The previous owner lost the right to transfer or delete.
		if body := wantError(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(id, "transfer-ownership"), Token: owner.Token,
			Body: map[string]any{"newOwnerUserId": owner.ID}}), http.StatusForbidden); body["required_role"] != "OWNER" {
			t.Errorf("403 body %v", body)
		}
		wantError(t, env.Do(testenv.Request{Method: "DELETE", Path: wsPath(id), Token: owner.Token}), http.StatusForbidden)

		// snake_case input works as well; ownership moves back.
		env.Call("POST", wsPath(id, "transfer-ownership"), viewer.Token, map[string]any{"new_owner_user_id": owner.ID}, http.StatusOK)
		if roleOf(t, env, owner.Token, id) != "OWNER" || roleOf(t, env, viewer.Token, id) != "ADMIN" {
			t.Error("transfer back did not swap the roles")
		}
	})
}

// patchOK decodes a 200 member answer.
func patchOK(t testing.TB, r *testenv.Response) map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.Status, r.Body)
	}
	m := r.Map(t)
	wantKeys(t, "Member", m, memberFields)
	return m
}
