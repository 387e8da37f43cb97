package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// Field sets of the agent objects (CONTRACT §4, §5), exactly.
var (
	agentFieldNames       = []string{"id", "workspace_id", "name", "description", "location", "public_ip_override", "version", "last_seen_at", "online", "initialized", "trafficsim_enabled", "trafficsim_port", "labels", "metadata", "created_at", "updated_at"}
	probeFieldNames       = []string{"id", "workspace_id", "agent_id", "type", "enabled", "interval_sec", "timeout_sec", "count", "duration_sec", "server", "labels", "metadata", "targets", "created_at", "updated_at"}
	probeTargetFieldNames = []string{"id", "probe_id", "target", "agent_id", "group_id", "created_at", "updated_at"}
)

var pinPattern = regexp.MustCompile(`^[0-9]+$`)

// agentScene is a workspace with an OWNER, and a member of every lower role.
type agentScene struct {
	env                        *testenv.Env
	owner, admin, user, viewer testenv.User
	outsider                   testenv.User // registered, not a member
	ws                         int64
}

func newAgentScene(t *testing.T, env *testenv.Env) agentScene {
	t.Helper()
	s := agentScene{env: env, owner: env.NewUser(), admin: env.NewUser(), user: env.NewUser(), viewer: env.NewUser(), outsider: env.NewUser()}
	s.ws = env.NewWorkspace(s.owner, "Agents")
	env.AddMember(s.owner, s.ws, s.admin, "ADMIN")
	env.AddMember(s.owner, s.ws, s.user, "USER")
	env.AddMember(s.owner, s.ws, s.viewer, "VIEWER")
	return s
}

// wantExactJSON checks the status, a JSON Content-Type and that the body is
// exactly want (compared as JSON values).
func wantExactJSON(t testing.TB, r *testenv.Response, status int, want string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var got, exp any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.Body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("body %s, want exactly %s", strings.TrimSpace(string(r.Body)), want)
	}
}

// wantAgentJSON checks that v is an Agent object with exactly the contract's fields.
func wantAgentJSON(t testing.TB, what string, v any) map[string]any {
	t.Helper()
	obj, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s = %#v, want an Agent object", what, v)
	}
	wantKeys(t, what, obj, agentFieldNames)
	wantTime(t, what+".created_at", obj["created_at"])
	wantTime(t, what+".updated_at", obj["updated_at"])
	if obj["last_seen_at"] != nil {
		wantTime(t, what+".last_seen_at", obj["last_seen_at"])
	}
	return obj
}

func getAgent(t testing.TB, env *testenv.Env, token string, a testenv.Agent) map[string]any {
	t.Helper()
	return wantAgentJSON(t, "agent", env.Call("GET", a.Path(), token, nil, http.StatusOK).Map(t))
}

func TestAgentCreate(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		before := time.Now().Add(-time.Second)
		r := env.Call("POST", wsPath(s.ws, "agents"), s.user.Token, map[string]any{
			"name": "  Office Router ", "description": "Main office", "location": "Vancouver, BC",
			"public_ip_override": "", "version": "", "labels": map[string]string{"env": "prod"},
			"metadata": map[string]any{"rack": 4}, "unknown_field": true,
		}, http.StatusCreated)
		body := r.Map(t)
		wantKeys(t, "create agent answer", body, []string{"agent", "pin"})
		ag := wantAgentJSON(t, "agent", body["agent"])
		want := map[string]any{
			"workspace_id": float64(s.ws), "name": "Office Router", "description": "Main office", "location": "Vancouver, BC",
			"public_ip_override": "", "version": "", "last_seen_at": nil, "online": false, "initialized": false,
			"trafficsim_enabled": false, "trafficsim_port": float64(5000),
			"labels": map[string]any{"env": "prod"}, "metadata": map[string]any{"rack": float64(4)},
		}
		for k, v := range want {
			if !reflect.DeepEqual(ag[k], v) {
				t.Errorf("agent.%s = %#v, want %#v", k, ag[k], v)
			}
		}
		if created := wantTime(t, "created_at", ag["created_at"]); created.Before(before) || created.After(time.Now().Add(time.Second)) {
			t.Errorf("created_at %v is not now", created)
		}
		pin, _ := body["pin"].(string)
		if len(pin) != 9 || !pinPattern.MatchString(pin) {
			t.Errorf("default PIN %q, want 9 digits", pin)
		}
		// The created agent reads back the same.
		id := num(t, ag, "id")
		got := env.Call("GET", wsPath(s.ws, "agents", itoa(id)), s.viewer.Token, nil, http.StatusOK).Map(t)
		if !reflect.DeepEqual(got, ag) {
			t.Errorf("GET agent = %v, want the created %v", got, ag)
		}

		// PIN length and TTL bounds, in both casings; an IPv6 override is canonicalised.
		for _, tc := range []struct {
			body   map[string]any
			pinLen int
		}{
			{map[string]any{"pinLength": 6, "pinTTLSeconds": 60}, 6},
			{map[string]any{"pin_length": 32, "pin_ttl_seconds": 2592000}, 32},
			{map[string]any{"pinLength": 12, "publicIpOverride": "2001:DB8::1"}, 12},
		} {
			a := env.CreateAgent(s.user.Token, s.ws, tc.body)
			if len(a.PIN) != tc.pinLen || !pinPattern.MatchString(a.PIN) {
				t.Errorf("create %v: PIN %q, want %d digits", tc.body, a.PIN, tc.pinLen)
			}
			if _, ok := tc.body["publicIpOverride"]; ok && a.JSON["public_ip_override"] != "2001:db8::1" {
				t.Errorf("public_ip_override = %v, want 2001:db8::1", a.JSON["public_ip_override"])
			}
		}

		long := strings.Repeat("é", 128)
		if a := env.CreateAgent(s.user.Token, s.ws, map[string]any{"name": long}); a.JSON["name"] != long {
			t.Errorf("a 128-character name was not kept")
		}

		for _, tc := range []struct {
			name     string
			body     any
			mentions string
		}{
			{"no name", map[string]any{"description": "x"}, "name"},
			{"null name", map[string]any{"name": nil}, "name"},
			{"empty name", map[string]any{"name": ""}, "name"},
			{"blank name", map[string]any{"name": "   "}, "name"},
			{"name too long", map[string]any{"name": strings.Repeat("x", 129)}, "name"},
			{"name not a string", map[string]any{"name": 5}, "name"},
			{"pin too short", map[string]any{"name": "a", "pinLength": 5}, "pinLength"},
			{"pin too long", map[string]any{"name": "a", "pinLength": 33}, "pinLength"},
			{"negative pin length", map[string]any{"name": "a", "pinLength": -9}, "pinLength"},
			{"ttl too short", map[string]any{"name": "a", "pinTTLSeconds": 59}, "TTL"},
			{"ttl too long", map[string]any{"name": "a", "pinTTLSeconds": 2592001}, "TTL"},
			// 36028797018967568 s in nanoseconds wraps around int64 to exactly one hour.
			{"ttl overflowing a duration", map[string]any{"name": "a", "pinTTLSeconds": 36028797018967568}, "TTL"},
			{"override not an IP", map[string]any{"name": "a", "public_ip_override": "router.example.com"}, "public_ip_override"},
			{"labels not an object", map[string]any{"name": "a", "labels": []string{"x"}}, "labels"},
			{"metadata not an object", map[string]any{"name": "a", "metadata": "x"}, "metadata"},
			{"trafficsim port 0", map[string]any{"name": "a", "trafficsim_port": 0}, "trafficsim_port"},
			{"trafficsim port too big", map[string]any{"name": "a", "trafficsim_port": 65536}, "trafficsim_port"},
			{"malformed JSON", `{"name":`, "JSON"},
			{"body not an object", `["a"]`, "object"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(s.ws, "agents"), Token: s.user.Token, Body: tc.body}),
					http.StatusBadRequest, tc.mentions)
			})
		}
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(s.ws, "agents"), Token: s.user.Token,
			Body: `{"name":"a"}`, Header: map[string]string{"Content-Type": "text/plain"}}), http.StatusBadRequest, "Content-Type")

		// Nothing invalid was stored: the list holds the five good agents.
		if n := len(listOf(t, env.Call("GET", wsPath(s.ws, "agents"), s.owner.Token, nil, http.StatusOK))); n != 5 {
			t.Errorf("%d agents after the invalid creates, want 5", n)
		}
	})
}

func TestAgentList(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		wantExactJSON(t, env.Call("GET", wsPath(s.ws, "agents"), s.viewer.Token, nil, http.StatusOK), http.StatusOK,
			`{"data":[],"total":0,"limit":50,"offset":0}`)
		var ids []int64
		for i := range 5 {
			ids = append(ids, env.NewAgent(s.user.Token, s.ws, fmt.Sprintf("agent %d", i)).ID)
		}
		// Another workspace's agents never show up.
		other := env.NewWorkspace(s.owner, "Other")
		env.NewAgent(s.owner.Token, other, "elsewhere")

		page := func(query string) (items []map[string]any, total, limit, offset int64) {
			t.Helper()
			body := env.Call("GET", wsPath(s.ws, "agents")+query, s.viewer.Token, nil, http.StatusOK).Map(t)
			wantKeys(t, "agent list", body, []string{"data", "total", "limit", "offset"})
			for _, item := range body["data"].([]any) {
				items = append(items, wantAgentJSON(t, "listed agent", item))
			}
			return items, num(t, body, "total"), num(t, body, "limit"), num(t, body, "offset")
		}
		idsOf := func(items []map[string]any) (out []int64) {
			for _, it := range items {
				out = append(out, num(t, it, "id"))
			}
			return out
		}
		items, total, limit, offset := page("")
		if !reflect.DeepEqual(idsOf(items), ids) || total != 5 || limit != 50 || offset != 0 {
			t.Errorf("default page: ids %v total %d limit %d offset %d; want %v 5 50 0", idsOf(items), total, limit, offset, ids)
		}
		items, total, limit, offset = page("?limit=2&offset=1")
		if !reflect.DeepEqual(idsOf(items), ids[1:3]) || total != 5 || limit != 2 || offset != 1 {
			t.Errorf("limit=2&offset=1: ids %v total %d limit %d offset %d", idsOf(items), total, limit, offset)
		}
		items, total, _, _ = page("?offset=10")
		if len(items) != 0 || total != 5 {
			t.Errorf("offset past the end: %d items, total %d", len(items), total)
		}
		if _, _, limit, _ = page("?limit=1000"); limit != 200 {
			t.Errorf("limit=1000 answered limit %d, want clamped to 200", limit)
		}
		for _, q := range []string{"?limit=0", "?limit=-1", "?limit=abc", "?offset=-1", "?offset=x"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(s.ws, "agents") + q, Token: s.viewer.Token}), http.StatusBadRequest)
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(s.ws, "agents"), Token: s.outsider.Token}), http.StatusNotFound)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(s.ws, "agents")}), http.StatusUnauthorized)
	})
}

func TestAgentPatch(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		a := env.CreateAgent(s.user.Token, s.ws, map[string]any{"name": "Before", "location": "Here", "labels": map[string]string{"a": "1"}})
		time.Sleep(5 * time.Millisecond)

		// snake_case
		got := wantAgentJSON(t, "patched agent", env.Call("PATCH", a.Path(), s.user.Token, map[string]any{
			"name": "After", "description": "desc", "public_ip_override": "203.0.113.9",
			"trafficsim_enabled": true, "trafficsim_port": 6000, "labels": map[string]string{"env": "production"},
		}, http.StatusOK).Map(t))
		want := map[string]any{"name": "After", "description": "desc", "location": "Here", "public_ip_override": "203.0.113.9",
			"trafficsim_enabled": true, "trafficsim_port": float64(6000), "labels": map[string]any{"env": "production"}}
		for k, v := range want {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("after snake_case PATCH: %s = %#v, want %#v", k, got[k], v)
			}
		}
		if !wantTime(t, "updated_at", got["updated_at"]).After(wantTime(t, "created_at", a.JSON["created_at"])) {
			t.Errorf("updated_at %v did not advance past created_at %v", got["updated_at"], a.JSON["created_at"])
		}
		if got["created_at"] != a.JSON["created_at"] || got["id"] != a.JSON["id"] {
			t.Errorf("PATCH changed id or created_at: %v", got)
		}

		// camelCase (also the spelling with a capital S in TrafficSim)
		env.Call("PATCH", a.Path(), s.user.Token, map[string]any{
			"publicIpOverride": "", "trafficsimEnabled": false, "trafficsimPort": 7000, "metadata": map[string]any{"k": "v"},
		}, http.StatusOK)
		got = getAgent(t, env, s.viewer.Token, a)
		if got["public_ip_override"] != "" || got["trafficsim_enabled"] != false || got["trafficsim_port"] != float64(7000) ||
			!reflect.DeepEqual(got["metadata"], map[string]any{"k": "v"}) || got["name"] != "After" {
			t.Errorf("after camelCase PATCH: %v", got)
		}
		env.Call("PATCH", a.Path(), s.user.Token, map[string]any{"trafficSimEnabled": true, "trafficSimPort": 7001}, http.StatusOK)
		if got = getAgent(t, env, s.viewer.Token, a); got["trafficsim_enabled"] != true || got["trafficsim_port"] != float64(7001) {
			t.Errorf("trafficSimEnabled/trafficSimPort were not applied: %v", got)
		}

		// An empty PATCH changes nothing.
		before := getAgent(t, env, s.viewer.Token, a)
		env.Call("PATCH", a.Path(), s.user.Token, map[string]any{}, http.StatusOK)
		after := getAgent(t, env, s.viewer.Token, a)
		delete(before, "updated_at")
		delete(after, "updated_at")
		if !reflect.DeepEqual(before, after) {
			t.Errorf("empty PATCH changed the agent: %v → %v", before, after)
		}

		for _, body := range []map[string]any{
			{"name": ""}, {"name": strings.Repeat("n", 129)}, {"public_ip_override": "nope"},
			{"labels": "x"}, {"trafficsim_port": 0},
		} {
			wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: a.Path(), Token: s.user.Token, Body: body}), http.StatusBadRequest)
		}
		if got := getAgent(t, env, s.viewer.Token, a); got["name"] != "After" {
			t.Errorf("a refused PATCH changed the agent: %v", got)
		}
	})
}

func TestAgentDelete(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		a := env.NewAgent(s.user.Token, s.ws, "doomed")
		env.Bootstrap(&a)
		peer := env.NewAgent(s.user.Token, s.ws, "peer")
		env.Bootstrap(&peer)
		p := env.CreateProbe(s.user.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})

		wantExactJSON(t, env.Call("DELETE", a.Path(), s.admin.Token, nil, http.StatusOK), http.StatusOK, `{"ok":true}`)

		wantError(t, env.Do(testenv.Request{Method: "GET", Path: a.Path(), Token: s.owner.Token}), http.StatusNotFound)
		wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: a.Path(), Token: s.owner.Token, Body: map[string]any{"name": "x"}}), http.StatusNotFound)
		wantError(t, env.Do(testenv.Request{Method: "DELETE", Path: a.Path(), Token: s.owner.Token}), http.StatusNotFound)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: a.Path("probes"), Token: s.owner.Token}), http.StatusNotFound)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(s.ws, "probe-data", "probes", itoa(num(t, p, "id")), "similar"), Token: s.owner.Token}), http.StatusNotFound)
		for _, it := range listOf(t, env.Call("GET", wsPath(s.ws, "agents"), s.owner.Token, nil, http.StatusOK)) {
			if num(t, it, "id") == a.ID {
				t.Errorf("deleted agent %d is still listed", a.ID)
			}
		}
		// Its login now answers 410 (deployed agents uninstall themselves on it).
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "psk": a.PSK}, nil),
			http.StatusGone, `{"status":"deleted","error":"agent_deleted"}`)
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: a.Headers()}),
			http.StatusGone, `{"error":"agent_deleted"}`)
		// Other agents are untouched.
		getAgent(t, env, s.viewer.Token, peer)
		env.Call("GET", "/agent/time", "", nil, http.StatusUnauthorized)
		if r := env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: peer.Headers()}); r.Status != http.StatusOK {
			t.Errorf("peer's PSK after deleting another agent: %d %s", r.Status, r.Body)
		}
	})
}

// TestWorkspaceDeleteRetiresAgents: deleting a workspace treats its agents
// as deleted (410 on login) and removes them and their probes from every
// other view.
func TestWorkspaceDeleteRetiresAgents(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		a := env.NewAgent(s.user.Token, s.ws, "a")
		env.Bootstrap(&a)
		pending := env.NewAgent(s.user.Token, s.ws, "never bootstrapped")
		env.CreateProbe(s.user.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})

		env.Call("DELETE", wsPath(s.ws), s.owner.Token, nil, http.StatusOK)
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "psk": a.PSK}, nil),
			http.StatusGone, `{"status":"deleted","error":"agent_deleted"}`)
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/api/whoami", Header: a.Headers()}),
			http.StatusGone, `{"error":"agent_deleted"}`)
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": pending.WorkspaceID, "agent_id": pending.ID, "pin": pending.PIN}, nil),
			http.StatusUnauthorized, `{"status":"","error":"pin_verification_failed"}`)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: a.Path(), Token: s.owner.Token}), http.StatusNotFound)
	})
}

func TestAgentHeartbeat(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		a := env.NewAgent(s.user.Token, s.ws, "a")
		if got := getAgent(t, env, s.viewer.Token, a); got["last_seen_at"] != nil || got["online"] != false {
			t.Fatalf("new agent: last_seen_at %v online %v, want null/false", got["last_seen_at"], got["online"])
		}
		body := env.Call("POST", a.Path("heartbeat"), s.user.Token, nil, http.StatusOK).Map(t)
		wantKeys(t, "heartbeat answer", body, []string{"ok", "ts"})
		ts := wantTime(t, "ts", body["ts"])
		if body["ok"] != true || time.Since(ts).Abs() > time.Minute {
			t.Errorf("heartbeat = %v", body)
		}
		got := getAgent(t, env, s.viewer.Token, a)
		if seen := wantTime(t, "last_seen_at", got["last_seen_at"]); !seen.Equal(ts) || got["online"] != true {
			t.Errorf("after heartbeat at %v: last_seen_at %v online %v", ts, seen, got["online"])
		}
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: a.Path("heartbeat"), Token: s.viewer.Token}), http.StatusForbidden)
	})
}

func TestAgentIssuePIN(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		a := env.NewAgent(s.user.Token, s.ws, "a")
		oldPIN := a.PIN

		body := env.Call("POST", a.Path("issue-pin"), s.user.Token, nil, http.StatusOK).Map(t)
		wantKeys(t, "issue-pin answer", body, []string{"pin"})
		if pin := body["pin"].(string); len(pin) != 9 || !pinPattern.MatchString(pin) {
			t.Errorf("default issued PIN %q", pin)
		}
		for _, tc := range []struct {
			body   map[string]any
			length int
		}{
			{map[string]any{"pinLength": 12, "ttlSeconds": 120}, 12},
			{map[string]any{"pin_length": 6, "ttl_seconds": 2592000}, 6},
			{map[string]any{"pinLength": 32, "pinTTLSeconds": 60}, 32},
		} {
			pin := env.Call("POST", a.Path("issue-pin"), s.user.Token, tc.body, http.StatusOK).Map(t)["pin"].(string)
			if len(pin) != tc.length || !pinPattern.MatchString(pin) {
				t.Errorf("issue-pin %v: PIN %q", tc.body, pin)
			}
			a.PIN = pin
		}
		for _, b := range []map[string]any{{"pinLength": 5}, {"pinLength": 33}, {"ttlSeconds": 59}, {"ttlSeconds": 2592001}} {
			wantError(t, env.Do(testenv.Request{Method: "POST", Path: a.Path("issue-pin"), Token: s.user.Token, Body: b}), http.StatusBadRequest)
		}
		// Only the newest PIN works; the older ones were invalidated.
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "pin": oldPIN}, nil),
			http.StatusUnauthorized, `{"status":"","error":"pin_verification_failed"}`)
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "pin": body["pin"]}, nil),
			http.StatusUnauthorized, `{"status":"","error":"pin_verification_failed"}`)
		firstPSK := env.Bootstrap(&a)

		// A new PIN for an initialised agent replaces its PSK when used.
		a.PIN = env.Call("POST", a.Path("issue-pin"), s.user.Token, nil, http.StatusOK).Map(t)["pin"].(string)
		if r := env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "psk": firstPSK}, nil); r.Status != http.StatusOK {
			t.Fatalf("the PSK stopped working before the new PIN was used: %d %s", r.Status, r.Body)
		}
		secondPSK := env.Bootstrap(&a)
		if secondPSK == firstPSK {
			t.Fatal("re-bootstrap returned the same PSK")
		}
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "psk": firstPSK}, nil),
			http.StatusUnauthorized, `{"status":"","error":"invalid_psk"}`)
		if r := env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "psk": secondPSK}, nil); r.Status != http.StatusOK {
			t.Errorf("new PSK: %d %s", r.Status, r.Body)
		}
	})
}

func TestAgentRegenerate(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		a := env.NewAgent(s.user.Token, s.ws, "a")
		oldPSK := env.Bootstrap(&a)
		if got := getAgent(t, env, s.viewer.Token, a); got["initialized"] != true {
			t.Fatalf("bootstrapped agent initialized = %v", got["initialized"])
		}
		pending := env.Call("POST", a.Path("issue-pin"), s.user.Token, nil, http.StatusOK).Map(t)["pin"]

		wantError(t, env.Do(testenv.Request{Method: "POST", Path: a.Path("regenerate"), Token: s.user.Token}), http.StatusForbidden)
		body := env.Call("POST", a.Path("regenerate"), s.admin.Token, nil, http.StatusOK).Map(t)
		wantKeys(t, "regenerate answer", body, []string{"agent", "pin"})
		ag := wantAgentJSON(t, "agent", body["agent"])
		if ag["initialized"] != false || num(t, ag, "id") != a.ID {
			t.Errorf("regenerated agent = %v, want initialized false", ag)
		}
		pin := body["pin"].(string)
		if len(pin) != 9 || !pinPattern.MatchString(pin) {
			t.Errorf("regenerate PIN %q", pin)
		}
		// The old PSK stops at once, on login and on the agent API.
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "psk": oldPSK}, nil),
			http.StatusUnauthorized, `{"status":"","error":"invalid_psk"}`)
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: a.Headers()}),
			http.StatusUnauthorized, `{"error":"invalid_psk"}`)
		if got := getAgent(t, env, s.viewer.Token, a); got["initialized"] != false {
			t.Errorf("initialized after regenerate = %v", got["initialized"])
		}
		// A PIN issued before regenerating is void; the new one bootstraps.
		wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "pin": pending}, nil),
			http.StatusUnauthorized, `{"status":"","error":"pin_verification_failed"}`)
		a.PIN = pin
		newPSK := env.Bootstrap(&a)
		if newPSK == oldPSK {
			t.Fatal("regenerate kept the PSK")
		}
		if got := getAgent(t, env, s.viewer.Token, a); got["initialized"] != true {
			t.Errorf("initialized after re-bootstrap = %v", got["initialized"])
		}
		a.PSK = newPSK
		env.Call("GET", "/agent/time", "", nil, http.StatusUnauthorized)
		if r := env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: a.Headers()}); r.Status != http.StatusOK {
			t.Errorf("new PSK on the agent API: %d %s", r.Status, r.Body)
		}

		// The new PIN may be given a length and lifetime like issue-pin's.
		pin = env.Call("POST", a.Path("regenerate"), s.owner.Token, map[string]any{"pinLength": 16, "ttlSeconds": 86400}, http.StatusOK).Map(t)["pin"].(string)
		if len(pin) != 16 {
			t.Errorf("regenerate with pinLength 16 gave %q", pin)
		}
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: a.Path("regenerate"), Token: s.owner.Token, Body: map[string]any{"pinLength": 3}}), http.StatusBadRequest, "pinLength")
	})
}

// TestAgentRoles: VIEWER reads, USER writes agents and probes, ADMIN
// deletes and regenerates; a refused call names the role it needs and
// changes nothing; a non-member sees 404.
func TestAgentRoles(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newAgentScene(t, env)
		a := env.NewAgent(s.owner.Token, s.ws, "a")
		b := env.NewAgent(s.owner.Token, s.ws, "b")
		p := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})
		probePath := a.Path("probes", itoa(num(t, p, "id")))
		type call struct {
			name, method, path string
			body               any
			min                string // minimum role
		}
		calls := []call{
			{"list agents", "GET", wsPath(s.ws, "agents"), nil, "VIEWER"},
			{"get agent", "GET", a.Path(), nil, "VIEWER"},
			{"list probes", "GET", a.Path("probes"), nil, "VIEWER"},
			{"get probe", "GET", probePath, nil, "VIEWER"},
			{"similar", "GET", wsPath(s.ws, "probe-data", "probes", itoa(num(t, p, "id")), "similar"), nil, "VIEWER"},
			{"create agent", "POST", wsPath(s.ws, "agents"), map[string]any{"name": "new"}, "USER"},
			{"patch agent", "PATCH", a.Path(), map[string]any{"location": "there"}, "USER"},
			{"heartbeat", "POST", a.Path("heartbeat"), nil, "USER"},
			{"issue pin", "POST", a.Path("issue-pin"), nil, "USER"},
			{"create probe", "POST", a.Path("probes"), map[string]any{"type": "DNS", "targets": []string{"example.com"}}, "USER"},
			{"patch probe", "PATCH", probePath, map[string]any{"intervalSec": 30}, "USER"},
			{"copy probes", "POST", a.Path("probes", "copy"), map[string]any{"dest_agent_ids": []int64{b.ID}}, "USER"},
			{"copy probes (workspace path)", "POST", wsPath(s.ws, "probes", "copy"), map[string]any{"source_agent_id": a.ID, "dest_agent_ids": []int64{b.ID}}, "USER"},
			{"regenerate", "POST", a.Path("regenerate"), nil, "ADMIN"},
			{"delete probe", "DELETE", probePath, nil, "USER"},
			{"delete agent", "DELETE", a.Path(), nil, "ADMIN"},
		}
		rank := map[string]int{"VIEWER": 0, "USER": 1, "ADMIN": 2, "OWNER": 3}
		callers := []struct {
			role string
			u    testenv.User
		}{{"VIEWER", s.viewer}, {"USER", s.user}, {"ADMIN", s.admin}}
		// Refusals first (nothing may change), then the allowed calls in order.
		for _, c := range calls {
			for _, who := range callers {
				if rank[who.role] >= rank[c.min] {
					continue
				}
				r := env.Do(testenv.Request{Method: c.method, Path: c.path, Token: who.u.Token, Body: c.body})
				if body := wantError(t, r, http.StatusForbidden); body["required_role"] != c.min {
					t.Errorf("%s as %s: required_role %v, want %s", c.name, who.role, body["required_role"], c.min)
				}
			}
			wantError(t, env.Do(testenv.Request{Method: c.method, Path: c.path, Token: s.outsider.Token, Body: c.body}), http.StatusNotFound)
		}
		if got := getAgent(t, env, s.viewer.Token, a); got["location"] != "" || got["last_seen_at"] != nil {
			t.Errorf("refused calls changed the agent: %v", got)
		}
		if n := len(listOf(t, env.Call("GET", a.Path("probes"), s.viewer.Token, nil, http.StatusOK))); n != 1 {
			t.Errorf("refused calls changed the probes: %d", n)
		}
		if n := len(listOf(t, env.Call("GET", b.Path("probes"), s.viewer.Token, nil, http.StatusOK))); n != 0 {
			t.Errorf("refused copies created %d probes", n)
		}
		for _, c := range calls {
			u := s.user
			if c.min == "ADMIN" {
				u = s.admin
			}
			if c.min == "VIEWER" {
				u = s.viewer
			}
			if r := env.Do(testenv.Request{Method: c.method, Path: c.path, Token: u.Token, Body: c.body}); r.Status >= 300 {
				t.Errorf("%s as %s: %d %s", c.name, c.min, r.Status, r.Body)
			}
		}
	})
}

// TestNewcomerFlow is the issue's "done when": create an agent, bootstrap
// it with the PIN, authenticate with the PSK, create PING/MTR/DNS/HTTP/TLS/
// AGENT probes (one bidirectional pair) and copy them to two more agents.
func TestNewcomerFlow(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Newcomer")

		office := env.CreateAgent(owner.Token, ws, map[string]any{"name": "Office", "location": "Vancouver, BC"})
		r := env.AgentLogin(map[string]any{"workspace_id": ws, "agent_id": office.ID, "pin": office.PIN}, nil)
		boot := r.Map(t)
		wantKeys(t, "bootstrap answer", boot, []string{"status", "psk", "agent"})
		psk, _ := boot["psk"].(string)
		if r.Status != http.StatusOK || boot["status"] != "success" || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(psk) {
			t.Fatalf("bootstrap: %d %s", r.Status, r.Body)
		}
		office.PSK = psk
		auth := env.AgentLogin(map[string]any{"workspace_id": ws, "agent_id": office.ID, "psk": psk}, nil)
		if body := auth.Map(t); auth.Status != http.StatusOK || body["status"] != "ok" {
			t.Fatalf("PSK auth: %d %s", auth.Status, auth.Body)
		}
		if r := env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: office.Headers()}); r.Status != http.StatusOK {
			t.Fatalf("/agent/time: %d %s", r.Status, r.Body)
		}

		dc := env.NewAgent(owner.Token, ws, "Datacenter")
		env.Bootstrap(&dc)
		specs := []map[string]any{
			{"type": "PING", "targets": []string{"8.8.8.8", "1.1.1.1"}},
			{"type": "MTR", "targets": []string{"one.one.one.one"}},
			{"type": "DNS", "targets": []string{"example.com"}, "metadata": map[string]any{"dns_server": "8.8.8.8"}},
			{"type": "HTTP", "targets": []string{"example.com"}},
			{"type": "TLS", "targets": []string{"example.com"}},
			{"type": "AGENT", "agent_targets": []int64{dc.ID}, "bidirectional": true},
		}
		var created []map[string]any
		for _, spec := range specs {
			p := env.CreateProbe(owner.Token, office, spec)
			wantKeys(t, "probe", p, probeFieldNames)
			created = append(created, p)
		}
		if got := created[3]["targets"].([]any)[0].(map[string]any)["target"]; got != "https://example.com" {
			t.Errorf("HTTP target = %v", got)
		}
		if got := created[4]["targets"].([]any)[0].(map[string]any)["target"]; got != "example.com:443" {
			t.Errorf("TLS target = %v", got)
		}
		reverse := listOf(t, env.Call("GET", dc.Path("probes"), owner.Token, nil, http.StatusOK))
		if len(reverse) != 1 || reverse[0]["type"] != "AGENT" ||
			reverse[0]["metadata"].(map[string]any)["reverse_of"] != created[5]["id"] {
			t.Fatalf("reverse probe on the datacenter agent: %v", reverse)
		}

		b := env.NewAgent(owner.Token, ws, "Branch B")
		c := env.NewAgent(owner.Token, ws, "Branch C")
		var report struct {
			Created, Skipped, Errors int
			Results                  []map[string]any
		}
		env.Call("POST", office.Path("probes", "copy"), owner.Token, map[string]any{
			"source_agent_id": office.ID, "dest_agent_ids": []int64{b.ID, c.ID}, "workspace_id": ws,
		}, http.StatusOK).JSON(t, &report)
		if report.Created != 12 || report.Skipped != 0 || report.Errors != 0 || len(report.Results) != 12 {
			t.Fatalf("copy report: %+v", report)
		}
		for _, dest := range []testenv.Agent{b, c} {
			got := listOf(t, env.Call("GET", dest.Path("probes"), owner.Token, nil, http.StatusOK))
			if len(got) != len(specs) {
				t.Errorf("agent %s has %d probes after the copy, want %d", dest.JSON["name"], len(got), len(specs))
			}
			for i, p := range got {
				if p["type"] != created[i]["type"] || !sameTargets(p, created[i]) {
					t.Errorf("copied probe %d = %v, want like %v", i, p, created[i])
				}
			}
		}
		// Everything is visible through the agents list.
		if n := len(listOf(t, env.Call("GET", wsPath(ws, "agents"), owner.Token, nil, http.StatusOK))); n != 4 {
			t.Errorf("%d agents, want 4", n)
		}
	})
}

// sameTargets compares the (target, agent_id) pairs of two probes.
func sameTargets(a, b map[string]any) bool {
	key := func(p map[string]any) []string {
		var out []string
		for _, raw := range p["targets"].([]any) {
			tg := raw.(map[string]any)
			out = append(out, fmt.Sprintf("%v|%v", tg["target"], tg["agent_id"]))
		}
		return out
	}
	return reflect.DeepEqual(key(a), key(b))
}
