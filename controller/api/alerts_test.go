package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// offlineAlert makes a never-seen agent in ws and an `offline >= 0` rule
// that fires for it at the next check, and waits for the alert.
func offlineAlert(t *testing.T, env *testenv.Env, admin testenv.User, ws int64, extra map[string]any) map[string]any {
	t.Helper()
	ag := env.NewAgent(admin.Token, ws, fmt.Sprintf("agent-%d", ws))
	body := map[string]any{"name": "offline", "metric": "offline", "operator": ">=", "threshold": 0, "agent_id": ag.ID}
	for k, v := range extra {
		body[k] = v
	}
	env.Call("POST", wsPath(ws, "alert-rules"), admin.Token, body, http.StatusCreated)
	var alert map[string]any
	waitFor(t, "the offline alert", func() bool {
		for _, a := range listOf(t, env.Call("GET", "/workspaces/alerts", admin.Token, nil, http.StatusOK)) {
			if num(t, a, "agent_id") == ag.ID {
				alert = a
				return true
			}
		}
		return false
	})
	return alert
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAlertsAcrossWorkspaces: the cross-workspace list and count show only
// the caller's workspaces; PATCH needs USER in the alert's workspace, and
// an alert of another workspace is invisible (404).
func TestAlertsAcrossWorkspaces(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		ownerA, ownerB, user, viewer := env.NewUser(), env.NewUser(), env.NewUser(), env.NewUser()
		wsA, wsB := env.NewWorkspace(ownerA, "A"), env.NewWorkspace(ownerB, "B")
		env.AddMember(ownerA, wsA, user, "USER")
		env.AddMember(ownerA, wsA, viewer, "VIEWER")
		alertA := offlineAlert(t, env, ownerA, wsA, nil)
		alertB := offlineAlert(t, env, ownerB, wsB, nil)
		idA, idB := itoa(num(t, alertA, "id")), itoa(num(t, alertB, "id"))

		for _, path := range []string{"/workspaces/alerts", "/alerts"} {
			list := listOf(t, env.Call("GET", path, user.Token, nil, http.StatusOK))
			if len(list) != 1 || num(t, list[0], "id") != num(t, alertA, "id") || num(t, list[0], "workspace_id") != wsA {
				t.Errorf("%s for a member of A: %v", path, list)
			}
		}
		for _, path := range []string{"/workspaces/alerts/count", "/alerts/count"} {
			if n := env.Call("GET", path, viewer.Token, nil, http.StatusOK).Map(t)["count"]; n != 1.0 {
				t.Errorf("%s = %v, want 1", path, n)
			}
		}
		// Neither visible nor patchable from A.
		for _, path := range []string{"/alerts/" + idB, "/alerts/" + idB + "/acknowledge", "/alerts/" + idB + "/resolve"} {
			wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: path, Token: ownerA.Token,
				Body: map[string]any{"status": "resolved"}}), http.StatusNotFound)
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(wsA, "alerts", idB, "deliveries"), Token: ownerA.Token}), http.StatusNotFound)
		if b := wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: "/alerts/" + idA, Token: viewer.Token,
			Body: map[string]any{"status": "acknowledged"}}), http.StatusForbidden); b["required_role"] != "USER" {
			t.Errorf("VIEWER acknowledging: required_role %v", b["required_role"])
		}
		wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: "/alerts/" + idA, Token: user.Token,
			Body: map[string]any{"status": "active"}}), http.StatusBadRequest, "status")

		acked := env.Call("PATCH", "/alerts/"+idA+"/acknowledge", user.Token, nil, http.StatusOK).Map(t)
		if acked["status"] != "acknowledged" || num(t, acked, "acknowledged_by") != user.ID {
			t.Errorf("acknowledged: %v", acked)
		}
		wantTime(t, "acknowledged_at", acked["acknowledged_at"])
		if n := env.Call("GET", "/alerts/count", user.Token, nil, http.StatusOK).Map(t)["count"]; n != 0.0 {
			t.Errorf("count after acknowledging = %v, want 0", n)
		}
		if got := listOf(t, env.Call("GET", "/workspaces/alerts?status=acknowledged", user.Token, nil, http.StatusOK)); len(got) != 1 {
			t.Errorf("status=acknowledged lists %d alerts", len(got))
		}
		resolved := env.Call("PATCH", "/alerts/"+idA, user.Token, map[string]any{"status": "resolved"}, http.StatusOK).Map(t)
		wantTime(t, "resolved_at", resolved["resolved_at"])
		wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: "/alerts/" + idA + "/acknowledge", Token: user.Token}), http.StatusConflict)
		wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: "/alerts/" + idA + "/resolve", Token: user.Token}), http.StatusConflict)

		// B's alert is untouched.
		if got := listOf(t, env.Call("GET", "/alerts", ownerB.Token, nil, http.StatusOK)); got[0]["status"] != "active" {
			t.Errorf("B's alert changed: %v", got[0])
		}
		for _, q := range []string{"status=open", "limit=0", "limit=x"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/workspaces/alerts?" + q, Token: user.Token}), http.StatusBadRequest)
		}
	}, testenv.WithFastAlerting(50*time.Millisecond))
}

// TestAlertWebhookEndToEnd: a rule with a webhook and a secret sends a
// signed "triggered" call, retries it after a 500, sends "resolved" when
// the alert is resolved, and lists every attempt.
func TestAlertWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		var mu sync.Mutex
		var events []string
		calls := 0
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			mac := hmac.New(sha256.New, []byte("hook-secret"))
			mac.Write(raw)
			if !hmac.Equal([]byte("sha256="+hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-NetWatcher-Signature"))) {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			var body struct {
				Event string `json:"event"`
			}
			_ = json.Unmarshal(raw, &body)
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			events = append(events, body.Event)
		}))
		defer hook.Close()
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Hooks")
		alert := offlineAlert(t, env, owner, ws, map[string]any{"notify_webhook": true, "webhook_url": hook.URL, "webhook_secret": "hook-secret"})
		id := itoa(num(t, alert, "id"))
		got := func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), events...)
		}
		waitFor(t, "the triggered webhook", func() bool { return len(got()) == 1 })
		env.Call("PATCH", "/alerts/"+id+"/resolve", owner.Token, nil, http.StatusOK)
		waitFor(t, "the resolved webhook", func() bool { return len(got()) == 2 })
		if e := got(); e[0] != "triggered" || e[1] != "resolved" {
			t.Errorf("events %v", e)
		}
		var deliveries []map[string]any
		waitFor(t, "three recorded attempts", func() bool {
			deliveries = listOf(t, env.Call("GET", wsPath(ws, "alerts", id, "deliveries"), owner.Token, nil, http.StatusOK))
			return len(deliveries) == 3
		})
		for i, want := range []struct {
			event string
			code  float64
		}{{"triggered", 500}, {"triggered", 200}, {"resolved", 200}} {
			d := deliveries[i]
			wantKeys(t, "delivery", d, []string{"attempt", "at", "event", "status_code", "error", "duration_ms"})
			if d["event"] != want.event || d["status_code"] != want.code {
				t.Errorf("delivery %d = %v, want %s %v", i, d, want.event, want.code)
			}
		}
	}, testenv.WithFastAlerting(50*time.Millisecond), testenv.WithWebhookDenyNone())
}

// TestAlertWebhookDenied: with the default deny list a webhook to loopback
// is refused at dial time, recorded once and never retried.
func TestAlertWebhookDenied(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite, testenv.WithFastAlerting(50*time.Millisecond))
	hits := 0
	var mu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { mu.Lock(); hits++; mu.Unlock() }))
	defer hook.Close()
	owner := env.NewUser()
	ws := env.NewWorkspace(owner, "Denied")
	alert := offlineAlert(t, env, owner, ws, map[string]any{"notify_webhook": true, "webhook_url": hook.URL})
	path := wsPath(ws, "alerts", itoa(num(t, alert, "id")), "deliveries")
	waitFor(t, "the refused attempt", func() bool { return len(listOf(t, env.Call("GET", path, owner.Token, nil, http.StatusOK))) > 0 })
	time.Sleep(300 * time.Millisecond) // several retry delays
	list := listOf(t, env.Call("GET", path, owner.Token, nil, http.StatusOK))
	if len(list) != 1 || list[0]["status_code"] != nil {
		t.Fatalf("deliveries %v, want one refused attempt", list)
	}
	if msg, _ := list[0]["error"].(string); msg == "" || !strings.Contains(msg, "NETWATCHER_WEBHOOK_DENY") {
		t.Errorf("error %q does not name the deny list", msg)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("the denied receiver got %d requests", hits)
	}
}
