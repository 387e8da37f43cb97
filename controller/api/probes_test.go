package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// probeScene is a workspace owner with agents to put probes on.
type probeScene struct {
	env   *testenv.Env
	owner testenv.User
	ws    int64
}

func newProbeScene(t *testing.T, env *testenv.Env) probeScene {
	t.Helper()
	owner := env.NewUser()
	return probeScene{env: env, owner: owner, ws: env.NewWorkspace(owner, "Probes")}
}

func (s probeScene) agent(name string) testenv.Agent {
	return s.env.NewAgent(s.owner.Token, s.ws, name)
}

func (s probeScene) probes(t testing.TB, a testenv.Agent) []map[string]any {
	t.Helper()
	return listOf(t, s.env.Call("GET", a.Path("probes"), s.owner.Token, nil, http.StatusOK))
}

// targetsOf lists a probe's targets as "literal" or "agent:<id>".
func targetsOf(t testing.TB, p map[string]any) []string {
	t.Helper()
	raw, ok := p["targets"].([]any)
	if !ok {
		t.Fatalf("probe %v has no targets array", p)
	}
	out := []string{}
	for _, r := range raw {
		tg := r.(map[string]any)
		if tg["agent_id"] != nil {
			if tg["target"] != "" {
				t.Errorf("agent target %v carries a literal", tg)
			}
			out = append(out, fmt.Sprintf("agent:%d", int64(tg["agent_id"].(float64))))
		} else {
			out = append(out, tg["target"].(string))
		}
	}
	return out
}

func metadataOf(p map[string]any) map[string]any {
	m, _ := p["metadata"].(map[string]any)
	return m
}

// wantProbeJSON checks the probe object of CONTRACT §5, exactly.
func wantProbeJSON(t testing.TB, p map[string]any) {
	t.Helper()
	wantKeys(t, "probe", p, probeFieldNames)
	wantTime(t, "probe.created_at", p["created_at"])
	wantTime(t, "probe.updated_at", p["updated_at"])
	for _, raw := range p["targets"].([]any) {
		tg := raw.(map[string]any)
		wantKeys(t, "probe target", tg, probeTargetFieldNames)
		if tg["probe_id"] != p["id"] {
			t.Errorf("target %v: probe_id is not the probe's id %v", tg, p["id"])
		}
		if tg["group_id"] != nil {
			t.Errorf("target %v: group_id should be null", tg)
		}
	}
}

func TestProbeCreateTypes(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		peer := s.agent("peer")
		agentT := fmt.Sprintf("agent:%d", peer.ID)
		for _, tc := range []struct {
			name     string
			body     map[string]any
			targets  []string // want, normalised (nil: 400)
			mentions string
		}{
			{"PING IPv4", map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}}, []string{"8.8.8.8"}, ""},
			{"PING host lower-cased", map[string]any{"type": "PING", "targets": []string{" Example.COM. "}}, []string{"example.com"}, ""},
			{"PING IPv6", map[string]any{"type": "PING", "targets": []string{"2001:DB8::1", "[2001:db8::2]"}}, []string{"2001:db8::1", "2001:db8::2"}, ""},
			{"PING mapped IPv4", map[string]any{"type": "PING", "targets": []string{"::ffff:192.0.2.1"}}, []string{"192.0.2.1"}, ""},
			{"PING same target twice", map[string]any{"type": "PING", "targets": []string{"example.org", "EXAMPLE.org"}}, []string{"example.org"}, ""},
			{"PING agent target", map[string]any{"type": "PING", "agent_targets": []int64{peer.ID}}, []string{agentT}, ""},
			{"PING lower-case type", map[string]any{"type": "ping", "targets": []string{"9.9.9.9"}}, []string{"9.9.9.9"}, ""},
			{"PING bad host", map[string]any{"type": "PING", "targets": []string{"not a host!"}}, nil, "not a host!"},
			{"PING URL", map[string]any{"type": "PING", "targets": []string{"http://example.com"}}, nil, "http://example.com"},
			{"PING empty target", map[string]any{"type": "PING", "targets": []string{""}}, nil, "target"},
			{"PING no target", map[string]any{"type": "PING"}, nil, "target"},
			{"MTR host", map[string]any{"type": "MTR", "targets": []string{"One.One.One.One"}}, []string{"one.one.one.one"}, ""},
			{"MTR agent and literal", map[string]any{"type": "MTR", "targets": []string{"1.1.1.1"}, "agent_targets": []int64{peer.ID}}, []string{"1.1.1.1", agentT}, ""},
			{"MTR no target", map[string]any{"type": "MTR", "targets": []string{}}, nil, "target"},
			{"DNS name", map[string]any{"type": "DNS", "targets": []string{"Example.com"}}, []string{"example.com"}, ""},
			{"DNS service name", map[string]any{"type": "DNS", "targets": []string{"_sip._tcp.example.com"}}, []string{"_sip._tcp.example.com"}, ""},
			{"DNS bad name", map[string]any{"type": "DNS", "targets": []string{"exa mple.com"}}, nil, "DNS name"},
			{"DNS label too long", map[string]any{"type": "DNS", "targets": []string{fmt.Sprintf("%064d.com", 0)}}, nil, "DNS name"},
			{"DNS agent target", map[string]any{"type": "DNS", "agent_targets": []int64{peer.ID}}, nil, "agents"},
			{"DNS no target", map[string]any{"type": "DNS"}, nil, "target"},
			{"HTTP bare host", map[string]any{"type": "HTTP", "targets": []string{"example.com"}}, []string{"https://example.com"}, ""},
			{"HTTP bare host and path", map[string]any{"type": "HTTP", "targets": []string{"Example.com/health"}}, []string{"https://example.com/health"}, ""},
			{"HTTP URL", map[string]any{"type": "HTTP", "targets": []string{"HTTP://Example.com:8080/x?y=1"}}, []string{"http://example.com:8080/x?y=1"}, ""},
			{"HTTP IPv6 URL", map[string]any{"type": "HTTP", "targets": []string{"http://[2001:DB8::1]/"}}, []string{"http://[2001:db8::1]/"}, ""},
			{"HTTP ftp", map[string]any{"type": "HTTP", "targets": []string{"ftp://example.com"}}, nil, "http"},
			{"HTTP no host", map[string]any{"type": "HTTP", "targets": []string{"https://"}}, nil, "http"},
			{"HTTP bad port", map[string]any{"type": "HTTP", "targets": []string{"https://example.com:99999"}}, nil, "port"},
			{"HTTP no target", map[string]any{"type": "HTTP"}, nil, "target"},
			{"TLS default port", map[string]any{"type": "TLS", "targets": []string{"Example.com"}}, []string{"example.com:443"}, ""},
			{"TLS explicit port", map[string]any{"type": "TLS", "targets": []string{"example.com:8443"}}, []string{"example.com:8443"}, ""},
			{"TLS IPv6", map[string]any{"type": "TLS", "targets": []string{"2001:db8::1", "[2001:db8::2]:993"}}, []string{"[2001:db8::1]:443", "[2001:db8::2]:993"}, ""},
			{"TLS port 0", map[string]any{"type": "TLS", "targets": []string{"example.com:0"}}, nil, "port"},
			{"TLS port too big", map[string]any{"type": "TLS", "targets": []string{"example.com:65536"}}, nil, "port"},
			{"TLS bad host", map[string]any{"type": "TLS", "targets": []string{"bad host:443"}}, nil, "bad host"},
			{"TLS no target", map[string]any{"type": "TLS"}, nil, "target"},
			{"TRAFFICSIM client", map[string]any{"type": "TRAFFICSIM", "targets": []string{"10.0.0.1:5000"}}, []string{"10.0.0.1:5000"}, ""},
			{"TRAFFICSIM agent", map[string]any{"type": "TRAFFICSIM", "agent_targets": []int64{peer.ID}}, []string{agentT}, ""},
			{"TRAFFICSIM server", map[string]any{"type": "TRAFFICSIM", "server": true}, []string{}, ""},
			{"TRAFFICSIM no port", map[string]any{"type": "TRAFFICSIM", "targets": []string{"10.0.0.1"}}, nil, "host:port"},
			{"TRAFFICSIM client without target", map[string]any{"type": "TRAFFICSIM"}, nil, "target"},
			{"AGENT", map[string]any{"type": "AGENT", "agent_targets": []int64{peer.ID}}, []string{agentT}, ""},
			{"AGENT without target", map[string]any{"type": "AGENT"}, nil, "target"},
			{"AGENT literal", map[string]any{"type": "AGENT", "targets": []string{"8.8.8.8"}}, nil, "literal"},
			{"SYSINFO", map[string]any{"type": "SYSINFO"}, []string{}, ""},
			{"SYSINFO with target", map[string]any{"type": "SYSINFO", "targets": []string{"8.8.8.8"}}, nil, "SYSINFO"},
			{"NETINFO", map[string]any{"type": "NETINFO"}, []string{}, ""},
			{"NETINFO with agent target", map[string]any{"type": "NETINFO", "agent_targets": []int64{peer.ID}}, nil, "NETINFO"},
			{"SPEEDTEST", map[string]any{"type": "SPEEDTEST"}, []string{}, ""},
			{"SPEEDTEST_SERVERS", map[string]any{"type": "SPEEDTEST_SERVERS"}, []string{}, ""},
			{"unknown type", map[string]any{"type": "ICMP", "targets": []string{"8.8.8.8"}}, nil, "ICMP"},
			{"no type", map[string]any{"targets": []string{"8.8.8.8"}}, nil, "type"},
			{"agent target id 0", map[string]any{"type": "PING", "agent_targets": []int64{0}}, nil, "agent_targets"},
			{"targets not strings", map[string]any{"type": "PING", "targets": []int{1}}, nil, "targets"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := env.For(t)
				a := s.agent("owner of " + tc.name)
				r := env.Do(testenv.Request{Method: "POST", Path: a.Path("probes"), Token: s.owner.Token, Body: tc.body})
				if tc.targets == nil {
					wantError(t, r, http.StatusBadRequest, tc.mentions)
					if n := len(s.probes(t, a)); n != 0 {
						t.Errorf("a refused create left %d probes", n)
					}
					return
				}
				if r.Status != http.StatusCreated {
					t.Fatalf("status %d; body %s", r.Status, r.Body)
				}
				p := r.Map(t)
				wantProbeJSON(t, p)
				if got := targetsOf(t, p); !reflect.DeepEqual(got, tc.targets) {
					t.Errorf("targets %v, want %v", got, tc.targets)
				}
				if num(t, p, "agent_id") != a.ID || num(t, p, "workspace_id") != s.ws {
					t.Errorf("probe owner %v/%v, want %d/%d", p["workspace_id"], p["agent_id"], s.ws, a.ID)
				}
				if want, _ := tc.body["type"].(string); p["type"] != strings.ToUpper(want) {
					t.Errorf("type %v", p["type"])
				}
				if got := s.probes(t, a); len(got) != 1 || !reflect.DeepEqual(got[0], p) {
					t.Errorf("listed probes %v, want exactly the created %v", got, p)
				}
			})
		}
	})
}

func TestProbeDefaultsAndShape(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, peer := s.agent("a"), s.agent("peer")
		ping := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "agent_targets": []int64{peer.ID}})
		wantProbeJSON(t, ping)
		want := map[string]any{"type": "PING", "enabled": true, "interval_sec": float64(60), "timeout_sec": float64(10), "count": float64(10),
			"duration_sec": float64(0), "server": false, "labels": map[string]any{}, "metadata": map[string]any{}}
		for k, v := range want {
			if !reflect.DeepEqual(ping[k], v) {
				t.Errorf("PING %s = %#v, want %#v", k, ping[k], v)
			}
		}
		tg := ping["targets"].([]any)
		lit, ag := tg[0].(map[string]any), tg[1].(map[string]any)
		if lit["target"] != "8.8.8.8" || lit["agent_id"] != nil || ag["target"] != "" || num(t, ag, "agent_id") != peer.ID {
			t.Errorf("targets %v", tg)
		}
		if _, echoed := ping["bidirectional"]; echoed {
			t.Error("bidirectional is echoed")
		}
		for typ, count := range map[string]float64{"MTR": 5, "DNS": 0, "HTTP": 0, "TLS": 0, "AGENT": 0} {
			body := map[string]any{"type": typ, "targets": []string{"example.net"}}
			if typ == "AGENT" {
				body = map[string]any{"type": typ, "agent_targets": []int64{peer.ID}}
			}
			p := env.CreateProbe(s.owner.Token, a, body)
			if p["count"] != count || p["interval_sec"] != float64(60) || p["timeout_sec"] != float64(10) {
				t.Errorf("%s defaults: count %v interval %v timeout %v", typ, p["count"], p["interval_sec"], p["timeout_sec"])
			}
		}

		// Explicit settings, enabled:false honoured.
		b := s.agent("b")
		p := env.CreateProbe(s.owner.Token, b, map[string]any{"type": "PING", "targets": []string{"1.1.1.1"}, "enabled": false,
			"interval_sec": 5, "timeout_sec": 3, "count": 4, "duration_sec": 30, "labels": map[string]string{"tier": "gold"},
			"metadata": map[string]any{"note": "x"}, "workspace_id": s.ws, "agent_id": b.ID})
		got := env.Call("GET", b.Path("probes", itoa(num(t, p, "id"))), s.owner.Token, nil, http.StatusOK).Map(t)
		for k, v := range map[string]any{"enabled": false, "interval_sec": float64(5), "timeout_sec": float64(3), "count": float64(4),
			"duration_sec": float64(30), "labels": map[string]any{"tier": "gold"}, "metadata": map[string]any{"note": "x"}} {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("stored %s = %#v, want %#v", k, got[k], v)
			}
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("GET %v differs from the create answer %v", got, p)
		}
		// camelCase on create too.
		c := env.CreateProbe(s.owner.Token, b, map[string]any{"type": "MTR", "targets": []string{"1.1.1.1"}, "intervalSec": 300, "timeoutSec": 30, "agentTargets": []int64{peer.ID}})
		if c["interval_sec"] != float64(300) || c["timeout_sec"] != float64(30) || len(targetsOf(t, c)) != 2 {
			t.Errorf("camelCase create: %v", c)
		}

		for _, body := range []map[string]any{
			{"type": "PING", "targets": []string{"2.2.2.2"}, "interval_sec": 4},
			{"type": "PING", "targets": []string{"2.2.2.2"}, "interval_sec": 0},
			{"type": "PING", "targets": []string{"2.2.2.2"}, "timeout_sec": 0},
			{"type": "PING", "targets": []string{"2.2.2.2"}, "count": -1},
			{"type": "PING", "targets": []string{"2.2.2.2"}, "duration_sec": -1},
			{"type": "PING", "targets": []string{"2.2.2.2"}, "labels": []string{}},
			{"type": "PING", "targets": []string{"2.2.2.2"}, "metadata": 3},
			{"type": "PING", "targets": []string{"2.2.2.2"}, "enabled": "yes"},
		} {
			wantError(t, env.Do(testenv.Request{Method: "POST", Path: b.Path("probes"), Token: s.owner.Token, Body: body}), http.StatusBadRequest)
		}
		if n := len(s.probes(t, b)); n != 2 {
			t.Errorf("%d probes on b after refused creates, want 2", n)
		}
	})
}

func TestProbeDuplicates(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, b, peer := s.agent("a"), s.agent("b"), s.agent("peer")
		create := func(ag testenv.Agent, body map[string]any, status int) map[string]any {
			t.Helper()
			r := env.Do(testenv.Request{Method: "POST", Path: ag.Path("probes"), Token: s.owner.Token, Body: body})
			if status == http.StatusConflict {
				wantError(t, r, status, "already exists")
				return nil
			}
			if r.Status != status {
				t.Fatalf("create %v: status %d, want %d; body %s", body, r.Status, status, r.Body)
			}
			return r.Map(t)
		}
		first := create(a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}}, 201)
		create(a, map[string]any{"type": "PING", "targets": []string{"1.1.1.1", "8.8.8.8"}}, 409)
		create(a, map[string]any{"type": "ping", "targets": []string{"::ffff:8.8.8.8"}}, 409)
		create(a, map[string]any{"type": "MTR", "targets": []string{"8.8.8.8"}}, 201)  // another type
		create(b, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}}, 201) // another agent
		create(a, map[string]any{"type": "PING", "targets": []string{"1.1.1.1"}}, 201) // no shared target

		create(a, map[string]any{"type": "PING", "agent_targets": []int64{peer.ID}}, 201)
		create(a, map[string]any{"type": "PING", "targets": []string{"9.9.9.9"}, "agent_targets": []int64{peer.ID}}, 409)
		create(a, map[string]any{"type": "AGENT", "agent_targets": []int64{peer.ID}}, 201)
		create(a, map[string]any{"type": "AGENT", "agent_targets": []int64{peer.ID}}, 409)

		create(a, map[string]any{"type": "HTTP", "targets": []string{"example.com"}}, 201)
		create(a, map[string]any{"type": "HTTP", "targets": []string{"https://EXAMPLE.com"}}, 409)
		create(a, map[string]any{"type": "TLS", "targets": []string{"example.com"}}, 201)
		create(a, map[string]any{"type": "TLS", "targets": []string{"example.com:443"}}, 409)

		// DNS: the same name against different servers is not a duplicate.
		create(a, map[string]any{"type": "DNS", "targets": []string{"example.com"}, "metadata": map[string]any{"dns_server": "8.8.8.8"}}, 201)
		create(a, map[string]any{"type": "DNS", "targets": []string{"example.com"}, "metadata": map[string]any{"dns_server": "1.1.1.1"}}, 201)
		create(a, map[string]any{"type": "DNS", "targets": []string{"example.com"}}, 201)
		create(a, map[string]any{"type": "DNS", "targets": []string{"example.com"}, "metadata": map[string]any{"dns_server": "8.8.8.8"}}, 409)
		create(a, map[string]any{"type": "DNS", "targets": []string{"Example.com."}}, 409)

		// Probes without targets: a second one of the same kind is a duplicate.
		create(a, map[string]any{"type": "SYSINFO"}, 201)
		create(a, map[string]any{"type": "SYSINFO", "interval_sec": 30}, 409)
		create(a, map[string]any{"type": "NETINFO"}, 201)
		create(a, map[string]any{"type": "TRAFFICSIM", "server": true}, 201)
		create(a, map[string]any{"type": "TRAFFICSIM", "server": true}, 409)
		create(a, map[string]any{"type": "TRAFFICSIM", "targets": []string{"10.0.0.1:5000"}}, 201)

		// A deleted probe is no longer a duplicate.
		env.Call("DELETE", a.Path("probes", itoa(num(t, first, "id"))), s.owner.Token, nil, 200)
		create(a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}}, 201)
	})
}

func TestProbeScope(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, peer, gone := s.agent("a"), s.agent("peer"), s.agent("gone")
		env.Call("DELETE", gone.Path(), s.owner.Token, nil, 200)
		otherWS := env.NewWorkspace(s.owner, "Other")
		foreign := env.NewAgent(s.owner.Token, otherWS, "foreign")
		for _, tc := range []struct {
			name     string
			body     map[string]any
			mentions string
		}{
			{"workspace_id mismatch", map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "workspace_id": otherWS}, "workspace_id"},
			{"agent_id mismatch", map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "agent_id": peer.ID}, "agent_id"},
			{"agent target in another workspace", map[string]any{"type": "AGENT", "agent_targets": []int64{foreign.ID}}, fmt.Sprint(foreign.ID)},
			{"agent target deleted", map[string]any{"type": "AGENT", "agent_targets": []int64{gone.ID}}, fmt.Sprint(gone.ID)},
			{"agent target unknown", map[string]any{"type": "AGENT", "agent_targets": []int64{987654}}, "987654"},
			{"targets its own agent", map[string]any{"type": "AGENT", "agent_targets": []int64{peer.ID, a.ID}}, "own agent"},
			{"bidirectional to its own agent", map[string]any{"type": "AGENT", "agent_targets": []int64{a.ID}, "bidirectional": true}, "own agent"},
			{"bidirectional without agent targets", map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "bidirectional": true}, "agent_targets"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, env.For(t).Do(testenv.Request{Method: "POST", Path: a.Path("probes"), Token: s.owner.Token, Body: tc.body}),
					http.StatusBadRequest, tc.mentions)
			})
		}
		for _, ag := range []testenv.Agent{a, peer, foreign} {
			if n := len(listOf(t, env.Call("GET", ag.Path("probes"), s.owner.Token, nil, 200))); n != 0 {
				t.Errorf("agent %d has %d probes after refused creates", ag.ID, n)
			}
		}
		// Matching ids in the body are fine.
		env.CreateProbe(s.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "workspace_id": s.ws, "agent_id": a.ID})
	})
}

func TestProbeGetPatchDelete(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, peer, peer2 := s.agent("a"), s.agent("peer"), s.agent("peer2")
		p := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "labels": map[string]string{"x": "1"}})
		path := a.Path("probes", itoa(num(t, p, "id")))
		patch := func(body any) map[string]any {
			t.Helper()
			got := env.Call("PATCH", path, s.owner.Token, body, http.StatusOK).Map(t)
			wantProbeJSON(t, got)
			if read := env.Call("GET", path, s.owner.Token, nil, http.StatusOK).Map(t); !reflect.DeepEqual(read, got) {
				t.Errorf("GET after PATCH %v differs from the PATCH answer %v", read, got)
			}
			return got
		}

		// The reference's own example, camelCase.
		got := patch(map[string]any{"enabled": false, "intervalSec": 120, "timeoutSec": 15, "labels": map[string]string{"priority": "high"}, "replaceTargets": []string{"8.8.4.4"}})
		for k, v := range map[string]any{"enabled": false, "interval_sec": float64(120), "timeout_sec": float64(15), "labels": map[string]any{"priority": "high"}, "count": float64(10), "type": "PING"} {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("after camelCase PATCH %s = %#v, want %#v", k, got[k], v)
			}
		}
		if tg := targetsOf(t, got); !reflect.DeepEqual(tg, []string{"8.8.4.4"}) {
			t.Errorf("targets after replaceTargets: %v", tg)
		}
		if got["created_at"] != p["created_at"] || got["id"] != p["id"] {
			t.Errorf("PATCH changed id/created_at")
		}
		// snake_case, and agent targets replaced separately from literals.
		got = patch(map[string]any{"enabled": true, "interval_sec": 30, "count": 3, "replace_agent_targets": []int64{peer.ID}})
		if got["enabled"] != true || got["interval_sec"] != float64(30) || got["count"] != float64(3) || got["timeout_sec"] != float64(15) {
			t.Errorf("after snake_case PATCH: %v", got)
		}
		if tg := targetsOf(t, got); !reflect.DeepEqual(tg, []string{"8.8.4.4", fmt.Sprintf("agent:%d", peer.ID)}) {
			t.Errorf("targets after replace_agent_targets: %v", tg)
		}
		got = patch(map[string]any{"replaceAgentTargets": []int64{peer2.ID}, "replace_targets": []string{"Example.ORG", "1.1.1.1"}})
		if tg := targetsOf(t, got); !reflect.DeepEqual(tg, []string{"example.org", "1.1.1.1", fmt.Sprintf("agent:%d", peer2.ID)}) {
			t.Errorf("targets after replacing both: %v", tg)
		}
		// Sending the probe's own type is fine; another type is not.
		patch(map[string]any{"type": "ping", "metadata": map[string]any{"k": "v"}})

		// The target agent goes away; the probe can still be edited.
		env.Call("DELETE", peer2.Path(), s.owner.Token, nil, 200)
		got = patch(map[string]any{"enabled": false})
		if got["enabled"] != false {
			t.Errorf("PATCH of a probe whose target agent was deleted: %v", got)
		}
		got = patch(map[string]any{"replaceAgentTargets": []int64{}})
		if tg := targetsOf(t, got); !reflect.DeepEqual(tg, []string{"example.org", "1.1.1.1"}) {
			t.Errorf("targets after clearing agent targets: %v", tg)
		}

		other := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"9.9.9.9"}})
		before := env.Call("GET", path, s.owner.Token, nil, 200).Map(t)
		for _, tc := range []struct {
			name     string
			body     any
			status   int
			mentions string
		}{
			{"type change", map[string]any{"type": "MTR"}, 400, "type"},
			{"no targets left", map[string]any{"replaceTargets": []string{}}, 400, "target"},
			{"bad target", map[string]any{"replaceTargets": []string{"bad host!"}}, 400, "bad host!"},
			{"interval too small", map[string]any{"intervalSec": 1}, 400, "interval_sec"},
			{"own agent", map[string]any{"replaceAgentTargets": []int64{a.ID}}, 400, "own agent"},
			{"deleted agent", map[string]any{"replaceAgentTargets": []int64{peer2.ID}}, 400, fmt.Sprint(peer2.ID)},
			{"duplicate of another probe", map[string]any{"replaceTargets": []string{"9.9.9.9"}}, 409, "already exists"},
			{"workspace_id mismatch", map[string]any{"workspace_id": s.ws + 1000, "enabled": true}, 400, "workspace_id"},
			{"agent_id mismatch", map[string]any{"agent_id": peer.ID, "enabled": true}, 400, "agent_id"},
			{"labels not an object", map[string]any{"labels": "x"}, 400, "labels"},
			{"malformed", `{"enabled":`, 400, "JSON"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, env.For(t).Do(testenv.Request{Method: "PATCH", Path: path, Token: s.owner.Token, Body: tc.body}), tc.status, tc.mentions)
			})
		}
		if after := env.Call("GET", path, s.owner.Token, nil, 200).Map(t); !reflect.DeepEqual(after, before) {
			t.Errorf("refused PATCHes changed the probe: %v → %v", before, after)
		}

		// A probe is reachable only under its own agent.
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: peer.Path("probes", itoa(num(t, p, "id"))), Token: s.owner.Token}), 404)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: a.Path("probes", "abc"), Token: s.owner.Token}), 400)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: a.Path("probes", "99999"), Token: s.owner.Token}), 404)

		wantExactJSON(t, env.Call("DELETE", path, s.owner.Token, nil, 200), 200, `{"ok":true}`)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: path, Token: s.owner.Token}), 404)
		wantError(t, env.Do(testenv.Request{Method: "PATCH", Path: path, Token: s.owner.Token, Body: map[string]any{"enabled": true}}), 404)
		wantError(t, env.Do(testenv.Request{Method: "DELETE", Path: path, Token: s.owner.Token}), 404)
		if left := s.probes(t, a); len(left) != 1 || left[0]["id"] != other["id"] {
			t.Errorf("probes after delete: %v", left)
		}
	})
}

func TestQuotas(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, b := s.agent("a"), s.agent("b")
		wantExactJSON(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(s.ws, "agents"), Token: s.owner.Token, Body: map[string]any{"name": "c"}}),
			http.StatusForbidden, `{"error":"agents per workspace limit reached","limit":2}`)
		// Quotas are per workspace: another workspace has its own.
		other := env.NewWorkspace(s.owner, "Other")
		env.NewAgent(s.owner.Token, other, "x")
		// Deleting an agent frees its place.
		env.Call("DELETE", b.Path(), s.owner.Token, nil, 200)
		b = s.agent("b2")

		p1 := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})
		env.CreateProbe(s.owner.Token, a, map[string]any{"type": "SYSINFO"})
		wantExactJSON(t, env.Do(testenv.Request{Method: "POST", Path: a.Path("probes"), Token: s.owner.Token, Body: map[string]any{"type": "NETINFO"}}),
			http.StatusForbidden, `{"error":"probes per agent limit reached","limit":2}`)
		env.CreateProbe(s.owner.Token, b, map[string]any{"type": "NETINFO"}) // per agent
		env.Call("DELETE", a.Path("probes", itoa(num(t, p1, "id"))), s.owner.Token, nil, 200)
		env.CreateProbe(s.owner.Token, a, map[string]any{"type": "NETINFO"})
	}, testenv.WithQuotas(2, 2))
}

// TestQuotasUnderConcurrency: racing creates never exceed a quota, and
// racing identical probes are created once.
func TestQuotasUnderConcurrency(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a := s.agent("a")
		race := func(n int, req func(i int) testenv.Request) map[int]int {
			statuses := map[int]int{}
			var mu sync.Mutex
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					r, err := env.Send(req(i))
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						statuses[-1]++
						return
					}
					statuses[r.Status]++
				})
			}
			close(start)
			wg.Wait()
			return statuses
		}
		got := race(12, func(i int) testenv.Request {
			return testenv.Request{Method: "POST", Path: wsPath(s.ws, "agents"), Token: s.owner.Token, Body: map[string]any{"name": fmt.Sprint("racer ", i)}}
		})
		if got[201] != 2 || got[403] != 10 {
			t.Errorf("12 racing agent creates with 2 places left: %v, want 2×201 and 10×403", got)
		}
		got = race(12, func(i int) testenv.Request {
			return testenv.Request{Method: "POST", Path: a.Path("probes"), Token: s.owner.Token, Body: map[string]any{"type": "PING", "targets": []string{fmt.Sprintf("192.0.2.%d", i+1)}}}
		})
		if got[201] != 3 || got[403] != 9 {
			t.Errorf("12 racing probe creates with a quota of 3: %v, want 3×201 and 9×403", got)
		}
		b := listOf(t, env.Call("GET", wsPath(s.ws, "agents"), s.owner.Token, nil, 200))[1]
		bAgent := testenv.Agent{ID: num(t, b, "id"), WorkspaceID: s.ws}
		got = race(8, func(int) testenv.Request {
			return testenv.Request{Method: "POST", Path: bAgent.Path("probes"), Token: s.owner.Token, Body: map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}}}
		})
		if got[201] != 1 || got[409] != 7 {
			t.Errorf("8 racing identical probes: %v, want 1×201 and 7×409", got)
		}
	}, testenv.WithQuotas(3, 3))
}

func TestBidirectionalProbes(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, b, c := s.agent("a"), s.agent("b"), s.agent("c")

		primary := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "AGENT", "agent_targets": []int64{b.ID, c.ID}, "bidirectional": true,
			"interval_sec": 120, "timeout_sec": 20, "labels": map[string]string{"pair": "yes"}, "metadata": map[string]any{"include_ping": true}})
		wantProbeJSON(t, primary)
		if _, ok := metadataOf(primary)["reverse_of"]; ok {
			t.Errorf("the primary carries reverse_of: %v", primary["metadata"])
		}
		for _, peer := range []testenv.Agent{b, c} {
			rev := s.probes(t, peer)
			if len(rev) != 1 {
				t.Fatalf("agent %d has %d probes, want the one reverse probe", peer.ID, len(rev))
			}
			r := rev[0]
			wantProbeJSON(t, r)
			if num(t, r, "agent_id") != peer.ID || r["type"] != "AGENT" || !reflect.DeepEqual(targetsOf(t, r), []string{fmt.Sprintf("agent:%d", a.ID)}) {
				t.Errorf("reverse probe %v does not point back at %d", r, a.ID)
			}
			wantMeta := map[string]any{"include_ping": true, "reverse_of": primary["id"]}
			if !reflect.DeepEqual(r["metadata"], wantMeta) {
				t.Errorf("reverse metadata %v, want %v", r["metadata"], wantMeta)
			}
			for _, k := range []string{"interval_sec", "timeout_sec", "count", "enabled", "labels", "duration_sec", "server"} {
				if !reflect.DeepEqual(r[k], primary[k]) {
					t.Errorf("reverse %s = %v, primary %v", k, r[k], primary[k])
				}
			}
		}

		// Other agent-target types pair the same way.
		ping := env.CreateProbe(s.owner.Token, b, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "agent_targets": []int64{c.ID}, "bidirectional": true})
		var revPing map[string]any
		for _, p := range s.probes(t, c) {
			if p["type"] == "PING" {
				revPing = p
			}
		}
		if revPing == nil || !reflect.DeepEqual(targetsOf(t, revPing), []string{fmt.Sprintf("agent:%d", b.ID)}) || metadataOf(revPing)["reverse_of"] != ping["id"] {
			t.Errorf("PING reverse = %v", revPing)
		}

		// An existing identical reverse probe is linked, not duplicated.
		d, e := s.agent("d"), s.agent("e")
		existing := env.CreateProbe(s.owner.Token, e, map[string]any{"type": "MTR", "agent_targets": []int64{d.ID}, "metadata": map[string]any{"mine": 1}})
		mtr := env.CreateProbe(s.owner.Token, d, map[string]any{"type": "MTR", "agent_targets": []int64{e.ID}, "bidirectional": true})
		onE := s.probes(t, e)
		if len(onE) != 1 || onE[0]["id"] != existing["id"] {
			t.Fatalf("agent e probes %v, want only the existing one", onE)
		}
		if m := metadataOf(onE[0]); m["reverse_of"] != mtr["id"] || m["mine"] != float64(1) {
			t.Errorf("existing reverse metadata %v, want reverse_of %v and its own keys kept", m, mtr["id"])
		}

		// Deleting one side leaves the other.
		revOnB := s.probes(t, b)[0]
		env.Call("DELETE", b.Path("probes", itoa(num(t, revOnB, "id"))), s.owner.Token, nil, 200)
		env.Call("GET", a.Path("probes", itoa(num(t, primary, "id"))), s.owner.Token, nil, 200)
		env.Call("DELETE", a.Path("probes", itoa(num(t, primary, "id"))), s.owner.Token, nil, 200)
		if left := s.probes(t, c); len(left) != 2 {
			t.Errorf("c has %d probes after deleting the primary, want its 2 reverse probes", len(left))
		}
	})
}

// TestBidirectionalIsAtomic: when the reverse probe cannot be created
// (here: the target's quota), neither probe exists.
func TestBidirectionalIsAtomic(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, b, c := s.agent("a"), s.agent("b"), s.agent("c")
		env.CreateProbe(s.owner.Token, c, map[string]any{"type": "SYSINFO"})
		body := wantError(t, env.Do(testenv.Request{Method: "POST", Path: a.Path("probes"), Token: s.owner.Token,
			Body: map[string]any{"type": "AGENT", "agent_targets": []int64{b.ID, c.ID}, "bidirectional": true}}), http.StatusForbidden, "limit")
		if body["limit"] != float64(1) {
			t.Errorf("quota error %v, want limit 1", body)
		}
		if n := len(s.probes(t, a)); n != 0 {
			t.Errorf("a has %d probes after the failed pair", n)
		}
		if n := len(s.probes(t, b)); n != 0 {
			t.Errorf("b has %d probes after the failed pair (its reverse came before the failing one)", n)
		}
		// Without the failing target it works.
		env.CreateProbe(s.owner.Token, a, map[string]any{"type": "AGENT", "agent_targets": []int64{b.ID}, "bidirectional": true})
		if n := len(s.probes(t, b)); n != 1 {
			t.Errorf("b has %d probes, want the reverse", n)
		}
	}, testenv.WithQuotas(0, 1))
}

func TestSimilarProbes(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		a, b, c, x := s.agent("a"), s.agent("b"), s.agent("c"), s.agent("x")
		ref := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "PING", "targets": []string{"8.8.8.8", "1.1.1.1"}})
		bothShared := env.CreateProbe(s.owner.Token, b, map[string]any{"type": "PING", "targets": []string{"1.1.1.1", "8.8.8.8"}})
		oneShared := env.CreateProbe(s.owner.Token, c, map[string]any{"type": "PING", "targets": []string{"8.8.8.8", "9.9.9.9"}})
		mtr := env.CreateProbe(s.owner.Token, b, map[string]any{"type": "MTR", "targets": []string{"1.1.1.1"}})
		env.CreateProbe(s.owner.Token, c, map[string]any{"type": "PING", "targets": []string{"4.4.4.4"}})
		// Another workspace's probe with the same target never shows up.
		otherWS := env.NewWorkspace(s.owner, "Other")
		env.CreateProbe(s.owner.Token, env.NewAgent(s.owner.Token, otherWS, "o"), map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})

		similar := func(p map[string]any, query string) (map[string]any, []any) {
			t.Helper()
			body := env.Call("GET", wsPath(s.ws, "probe-data", "probes", itoa(num(t, p, "id")), "similar")+query, s.owner.Token, nil, 200).Map(t)
			wantKeys(t, "similar answer", body, []string{"probe", "data"})
			ids := []any{}
			for _, it := range body["data"].([]any) {
				wantProbeJSON(t, it.(map[string]any))
				ids = append(ids, it.(map[string]any)["id"])
			}
			return body["probe"].(map[string]any), ids
		}
		gotRef, ids := similar(ref, "")
		if !reflect.DeepEqual(gotRef, ref) {
			t.Errorf("probe = %v, want the reference %v", gotRef, ref)
		}
		if want := []any{bothShared["id"], oneShared["id"]}; !reflect.DeepEqual(ids, want) {
			t.Errorf("similar (defaults) = %v, want %v (each once)", ids, want)
		}
		if _, ids = similar(ref, "?sameType=false"); !reflect.DeepEqual(ids, []any{bothShared["id"], oneShared["id"], mtr["id"]}) {
			t.Errorf("sameType=false = %v", ids)
		}
		if _, ids = similar(ref, "?includeSelf=true"); !reflect.DeepEqual(ids, []any{ref["id"], bothShared["id"], oneShared["id"]}) {
			t.Errorf("includeSelf=true = %v", ids)
		}
		if _, ids = similar(mtr, ""); len(ids) != 0 {
			t.Errorf("similar MTR = %v, want none", ids)
		}
		if _, ids = similar(mtr, "?sameType=false&includeSelf=true"); !reflect.DeepEqual(ids, []any{ref["id"], bothShared["id"], mtr["id"]}) {
			t.Errorf("similar MTR across types = %v", ids)
		}

		// Shared target agents.
		ag1 := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "AGENT", "agent_targets": []int64{x.ID}})
		ag2 := env.CreateProbe(s.owner.Token, b, map[string]any{"type": "AGENT", "agent_targets": []int64{x.ID}})
		ping := env.CreateProbe(s.owner.Token, c, map[string]any{"type": "PING", "agent_targets": []int64{x.ID}})
		if _, ids = similar(ag1, ""); !reflect.DeepEqual(ids, []any{ag2["id"]}) {
			t.Errorf("similar AGENT = %v, want %v", ids, ag2["id"])
		}
		if _, ids = similar(ag1, "?sameType=false"); !reflect.DeepEqual(ids, []any{ag2["id"], ping["id"]}) {
			t.Errorf("similar AGENT across types = %v", ids)
		}
		// A probe without targets has nothing similar.
		sys := env.CreateProbe(s.owner.Token, a, map[string]any{"type": "SYSINFO"})
		if _, ids = similar(sys, ""); len(ids) != 0 {
			t.Errorf("similar SYSINFO = %v", ids)
		}

		for _, q := range []string{"?sameType=maybe", "?includeSelf=2"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(s.ws, "probe-data", "probes", itoa(num(t, ref, "id")), "similar") + q, Token: s.owner.Token}), 400)
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: wsPath(s.ws, "probe-data", "probes", "999999", "similar"), Token: s.owner.Token}), 404)
		// Deleted probes are not similar to anything.
		env.Call("DELETE", b.Path("probes", itoa(num(t, bothShared, "id"))), s.owner.Token, nil, 200)
		if _, ids = similar(ref, ""); !slices.Equal(ids, []any{oneShared["id"]}) {
			t.Errorf("similar after deleting one = %v", ids)
		}
	})
}
