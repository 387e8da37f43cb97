package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

var pskPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// loginBody is a POST /agent body for the agent.
func loginBody(a testenv.Agent, cred string, value any) map[string]any {
	return map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, cred: value}
}

// TestAgentLoginProtocol is PROTOCOL.md §1's table for POST /agent and its
// alias POST /agent/login: every case with its exact status and body
// (the agent object and the PSK value are checked by shape).
func TestAgentLoginProtocol(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Protocol")
		other := env.NewWorkspace(owner, "Other")

		const (
			invalidPSK  = `{"status":"","error":"invalid_psk"}`
			pinFailed   = `{"status":"","error":"pin_verification_failed"}`
			deleted     = `{"status":"deleted","error":"agent_deleted"}`
			required    = `{"status":"","error":"psk_or_pin_required"}`
			badRequest  = `{"status":"","error":"invalid_request"}`
			okStatus    = "ok"
			successPSK  = "success"
			noAgentID   = 999999
			wrongSecret = "0000000000000000000000000000000000000000000000000000000000000000"
		)
		fresh := func() testenv.Agent { return env.NewAgent(owner.Token, ws, "agent") }
		initialized := func() testenv.Agent {
			a := fresh()
			env.Bootstrap(&a)
			return a
		}

		type tc struct {
			name    string
			prep    func(t *testing.T) (body any, a testenv.Agent)
			status  int
			exact   string // the whole body, for failures
			success string // "ok" or "success": body checked by shape
			after   func(t *testing.T, env *testenv.Env, a testenv.Agent)
		}
		pinStillValid := func(t *testing.T, env *testenv.Env, a testenv.Agent) {
			if r := env.AgentLogin(loginBody(a, "pin", a.PIN), nil); r.Status != 200 {
				t.Errorf("the PIN was consumed although the PSK decided: %d %s", r.Status, r.Body)
			}
		}
		cases := []tc{
			{"PSK valid", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return loginBody(a, "psk", a.PSK), a
			}, 200, "", okStatus, nil},
			{"PSK valid, ids as numeric strings", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return map[string]any{"workspace_id": itoa(a.WorkspaceID), "agent_id": itoa(a.ID), "psk": a.PSK}, a
			}, 200, "", okStatus, nil},
			{"PSK and PIN: PSK wins", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				a.PIN = env.Call("POST", a.Path("issue-pin"), owner.Token, nil, 200).Map(t)["pin"].(string)
				b := loginBody(a, "psk", a.PSK)
				b["pin"] = a.PIN
				return b, a
			}, 200, "", okStatus, pinStillValid},
			{"PSK of a deleted agent", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				env.Call("DELETE", a.Path(), owner.Token, nil, 200)
				return loginBody(a, "psk", a.PSK), a
			}, 410, deleted, "", nil},
			{"PSK of an agent in a deleted workspace", func(t *testing.T) (any, testenv.Agent) {
				doomed := env.NewWorkspace(owner, "Doomed")
				a := env.NewAgent(owner.Token, doomed, "agent")
				env.Bootstrap(&a)
				env.Call("DELETE", wsPath(doomed), owner.Token, nil, 200)
				return loginBody(a, "psk", a.PSK), a
			}, 410, deleted, "", nil},
			{"PSK wrong", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return loginBody(a, "psk", wrongSecret), a
			}, 401, invalidPSK, "", nil},
			{"PSK of another agent", func(t *testing.T) (any, testenv.Agent) {
				a, b := initialized(), initialized()
				return loginBody(a, "psk", b.PSK), a
			}, 401, invalidPSK, "", nil},
			{"PSK with the wrong workspace", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return map[string]any{"workspace_id": other, "agent_id": a.ID, "psk": a.PSK}, a
			}, 401, invalidPSK, "", nil},
			{"PSK for an unknown agent", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return map[string]any{"workspace_id": ws, "agent_id": noAgentID, "psk": a.PSK}, a
			}, 401, invalidPSK, "", nil},
			{"PSK without ids", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return map[string]any{"psk": a.PSK}, a
			}, 401, invalidPSK, "", nil},
			{"PSK of an agent never bootstrapped", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return loginBody(a, "psk", wrongSecret), a
			}, 401, invalidPSK, "", nil},
			{"PSK wrong, PIN valid: PSK wins", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				b := loginBody(a, "psk", wrongSecret)
				b["pin"] = a.PIN
				return b, a
			}, 401, invalidPSK, "", pinStillValid},
			{"PIN valid", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return loginBody(a, "pin", a.PIN), a
			}, 200, "", successPSK, nil},
			{"PIN valid for an initialised agent", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				a.PIN = env.Call("POST", a.Path("issue-pin"), owner.Token, nil, 200).Map(t)["pin"].(string)
				return loginBody(a, "pin", a.PIN), a
			}, 200, "", successPSK, nil},
			{"PIN wrong", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return loginBody(a, "pin", wrongPIN(a.PIN)), a
			}, 401, pinFailed, "", nil},
			{"PIN expired", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				env.ExpirePIN(a.ID)
				return loginBody(a, "pin", a.PIN), a
			}, 401, pinFailed, "", nil},
			{"PIN used (reuse)", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return loginBody(a, "pin", a.PIN), a
			}, 401, pinFailed, "", nil},
			{"PIN replaced by a newer one", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				env.Call("POST", a.Path("issue-pin"), owner.Token, nil, 200)
				return loginBody(a, "pin", a.PIN), a
			}, 401, pinFailed, "", nil},
			{"PIN of another agent", func(t *testing.T) (any, testenv.Agent) {
				a, b := fresh(), fresh()
				return loginBody(a, "pin", b.PIN), a
			}, 401, pinFailed, "", nil},
			{"PIN for an unknown agent", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return map[string]any{"workspace_id": ws, "agent_id": noAgentID, "pin": a.PIN}, a
			}, 401, pinFailed, "", nil},
			{"PIN with the wrong workspace", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return map[string]any{"workspace_id": other, "agent_id": a.ID, "pin": a.PIN}, a
			}, 401, pinFailed, "", nil},
			{"PIN of a deleted agent", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				env.Call("DELETE", a.Path(), owner.Token, nil, 200)
				return loginBody(a, "pin", a.PIN), a
			}, 401, pinFailed, "", nil},
			{"neither PIN nor PSK", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID}, a
			}, 400, required, "", nil},
			{"empty PIN and PSK", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "psk": "", "pin": ""}, a
			}, 400, required, "", nil},
			{"empty object", func(t *testing.T) (any, testenv.Agent) { return "{}", fresh() }, 400, required, "", nil},
			{"malformed JSON", func(t *testing.T) (any, testenv.Agent) { return `{"psk":`, fresh() }, 400, badRequest, "", nil},
			{"JSON array", func(t *testing.T) (any, testenv.Agent) { return `[1,2]`, fresh() }, 400, badRequest, "", nil},
			{"PSK not a string", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return loginBody(a, "psk", 12345), a
			}, 400, badRequest, "", nil},
			{"non-numeric workspace_id", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return map[string]any{"workspace_id": "one", "agent_id": a.ID, "psk": a.PSK}, a
			}, 400, badRequest, "", nil},
			{"non-numeric agent_id", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return map[string]any{"workspace_id": a.WorkspaceID, "agent_id": "7x", "pin": a.PIN}, a
			}, 400, badRequest, "", nil},
			{"fractional agent_id", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return map[string]any{"workspace_id": a.WorkspaceID, "agent_id": 1.5, "pin": a.PIN}, a
			}, 400, badRequest, "", nil},
			{"boolean workspace_id", func(t *testing.T) (any, testenv.Agent) {
				a := fresh()
				return map[string]any{"workspace_id": true, "agent_id": a.ID, "pin": a.PIN}, a
			}, 400, badRequest, "", nil},
			{"body over 1 MiB", func(t *testing.T) (any, testenv.Agent) {
				a := initialized()
				return `{"workspace_id":` + itoa(a.WorkspaceID) + `,"agent_id":` + itoa(a.ID) + `,"psk":"` + a.PSK +
					`","pad":"` + strings.Repeat("x", 1<<20) + `"}`, a
			}, 413, badRequest, "", nil},
		}

		for _, path := range []string{"/agent", "/agent/login"} {
			for _, c := range cases {
				t.Run(path+"/"+c.name, func(t *testing.T) {
					env := env.For(t)
					body, a := c.prep(t)
					r := env.Do(testenv.Request{Method: "POST", Path: path, Body: body})
					if c.after != nil {
						defer c.after(t, env, a)
					}
					if c.exact != "" {
						wantExactJSON(t, r, c.status, c.exact)
						return
					}
					if r.Status != c.status {
						t.Fatalf("status %d, want %d; body %s", r.Status, c.status, r.Body)
					}
					got := r.Map(t)
					ag := wantAgentJSON(t, "agent", got["agent"])
					if num(t, ag, "id") != a.ID || num(t, ag, "workspace_id") != a.WorkspaceID || ag["initialized"] != true {
						t.Errorf("agent in the answer = %v, want agent %d initialised", ag, a.ID)
					}
					wantTime(t, "last_seen_at", ag["last_seen_at"])
					if ag["online"] != true {
						t.Errorf("online = %v after contact", ag["online"])
					}
					switch c.success {
					case okStatus:
						wantKeys(t, "PSK answer", got, []string{"status", "agent"})
						if got["status"] != "ok" {
							t.Errorf("status %v, want ok", got["status"])
						}
					case successPSK:
						wantKeys(t, "PIN answer", got, []string{"status", "psk", "agent"})
						psk, _ := got["psk"].(string)
						if got["status"] != "success" || !pskPattern.MatchString(psk) {
							t.Errorf("PIN answer status %v psk %q", got["status"], psk)
						}
						// The PSK works at once; the PIN is spent.
						a.PSK = psk
						if r := env.Do(testenv.Request{Method: "POST", Path: path, Body: loginBody(a, "psk", psk)}); r.Status != 200 {
							t.Errorf("new PSK: %d %s", r.Status, r.Body)
						}
						wantExactJSON(t, env.Do(testenv.Request{Method: "POST", Path: path, Body: loginBody(a, "pin", a.PIN)}),
							401, pinFailed)
					}
				})
			}
		}
	})
}

// wrongPIN is a PIN of the same length that differs from pin.
func wrongPIN(pin string) string {
	b := []byte(pin)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// TestAgentPINIsOneTimeUnderConcurrency: many installers racing with the
// same valid PIN: exactly one gets a PSK.
func TestAgentPINIsOneTimeUnderConcurrency(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Race")
		a := env.NewAgent(owner.Token, ws, "contested")
		const n = 20
		statuses := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				r, err := env.Send(testenv.Request{Method: "POST", Path: "/agent", Body: loginBody(a, "pin", a.PIN)})
				if err != nil {
					errs[i] = err
					return
				}
				statuses[i] = r.Status
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			switch statuses[i] {
			case 200:
				wins++
			case 401:
			default:
				t.Errorf("attempt %d: status %d", i, statuses[i])
			}
		}
		if wins != 1 {
			t.Errorf("%d of %d concurrent uses of one PIN succeeded, want exactly 1", wins, n)
		}
	})
}

func TestAgentTime(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		a := env.NewAgent(owner.Token, env.NewWorkspace(owner, "Time"), "a")
		env.Bootstrap(&a)
		seen := wantTime(t, "last_seen_at", getAgent(t, env, owner.Token, a)["last_seen_at"])
		time.Sleep(5 * time.Millisecond)

		before := time.Now()
		r := env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: a.Headers()})
		after := time.Now()
		if r.Status != 200 {
			t.Fatalf("/agent/time: %d %s", r.Status, r.Body)
		}
		body := r.Map(t)
		wantKeys(t, "/agent/time answer", body, []string{"server_time", "server_unix_ms"})
		st := wantTime(t, "server_time", body["server_time"])
		ms := num(t, body, "server_unix_ms")
		if ms < before.UnixMilli() || ms > after.UnixMilli() {
			t.Errorf("server_unix_ms %d not within the request [%d, %d]", ms, before.UnixMilli(), after.UnixMilli())
		}
		if d := st.Sub(time.UnixMilli(ms)); d.Abs() > time.Millisecond {
			t.Errorf("server_time %v and server_unix_ms %d disagree by %v", st, ms, d)
		}
		// Agent API traffic counts as contact.
		if now := wantTime(t, "last_seen_at", getAgent(t, env, owner.Token, a)["last_seen_at"]); !now.After(seen) {
			t.Errorf("last_seen_at %v did not advance past %v after an agent API call", now, seen)
		}
	})
}

// TestAgentAPIAuth: the PSK headers of /agent/time and /agent/api/*.
func TestAgentAPIAuth(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "API")
		a := env.NewAgent(owner.Token, ws, "a")
		env.Bootstrap(&a)
		gone := env.NewAgent(owner.Token, ws, "gone")
		env.Bootstrap(&gone)
		env.Call("DELETE", gone.Path(), owner.Token, nil, 200)

		with := func(mod func(h map[string]string)) map[string]string {
			h := a.Headers()
			mod(h)
			return h
		}
		for _, path := range []string{"/agent/time", "/agent/api/whoami", "/agent/api/whoami?quick=true", "/agent/api/lookup/ip/8.8.8.8"} {
			for _, tc := range []struct {
				name   string
				header map[string]string
				status int
				exact  string
			}{
				{"no headers", nil, 401, `{"error":"missing auth headers"}`},
				{"no workspace", with(func(h map[string]string) { delete(h, "X-Workspace-ID") }), 401, `{"error":"missing auth headers"}`},
				{"no agent", with(func(h map[string]string) { delete(h, "X-Agent-ID") }), 401, `{"error":"missing auth headers"}`},
				{"no psk", with(func(h map[string]string) { delete(h, "X-Agent-PSK") }), 401, `{"error":"missing auth headers"}`},
				{"wrong psk", with(func(h map[string]string) { h["X-Agent-PSK"] = strings.Repeat("ab", 32) }), 401, `{"error":"invalid_psk"}`},
				{"other workspace", with(func(h map[string]string) { h["X-Workspace-ID"] = itoa(ws + 1000) }), 401, `{"error":"invalid_psk"}`},
				{"deleted agent", gone.Headers(), 410, `{"error":"agent_deleted"}`},
				{"non-numeric workspace", with(func(h map[string]string) { h["X-Workspace-ID"] = "abc" }), 400, ""},
				{"non-numeric agent", with(func(h map[string]string) { h["X-Agent-ID"] = "1e3" }), 400, ""},
			} {
				t.Run(path+"/"+tc.name, func(t *testing.T) {
					r := env.For(t).Do(testenv.Request{Method: "GET", Path: path, Header: tc.header})
					if tc.exact != "" {
						wantExactJSON(t, r, tc.status, tc.exact)
					} else {
						wantError(t, r, tc.status)
					}
				})
			}
			if r := env.Do(testenv.Request{Method: "GET", Path: path, Header: a.Headers()}); r.Status != 200 {
				t.Errorf("%s with valid headers: %d %s", path, r.Status, r.Body)
			}
		}
		// A user's JWT is not an agent credential.
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Token: owner.Token}), 401, `{"error":"missing auth headers"}`)
	})
}

func TestAgentWhoami(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, env *testenv.Env, header map[string]string, wantIP string) {
		t.Helper()
		owner := env.NewUser()
		a := env.NewAgent(owner.Token, env.NewWorkspace(owner, "Whoami"), "a")
		env.Bootstrap(&a)
		h := a.Headers()
		for k, v := range header {
			h[k] = v
		}
		for _, q := range []string{"?quick=true", ""} {
			r := env.Do(testenv.Request{Method: "GET", Path: "/agent/api/whoami" + q, Header: h})
			if r.Status != 200 {
				t.Fatalf("whoami%s: %d %s", q, r.Status, r.Body)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("whoami%s Cache-Control %q, want no-store", q, cc)
			}
			body := r.Map(t)
			if q != "" {
				wantKeys(t, "quick whoami", body, []string{"ip", "timestamp"})
			}
			if body["ip"] != wantIP {
				t.Errorf("whoami%s ip = %v, want %s", q, body["ip"], wantIP)
			}
			if ts := wantTime(t, "timestamp", body["timestamp"]); time.Since(ts).Abs() > time.Minute {
				t.Errorf("timestamp %v is not now", ts)
			}
		}
	}
	// Without trusted proxies the TCP peer is the client, whatever the headers say.
	t.Run("untrusted peer", func(t *testing.T) {
		t.Parallel()
		testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
			check(t, env, nil, "127.0.0.1")
			check(t, env, map[string]string{"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.8"}, "127.0.0.1")
		})
	})
	t.Run("trusted proxy", func(t *testing.T) {
		t.Parallel()
		testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
			check(t, env, nil, "127.0.0.1")
			check(t, env, map[string]string{"X-Forwarded-For": "203.0.113.7"}, "203.0.113.7")
			// The right-most address that is not a trusted proxy; entries to its left are the client's to forge.
			check(t, env, map[string]string{"X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.0.0.2"}, "203.0.113.7")
			check(t, env, map[string]string{"X-Real-IP": "2001:DB8::5"}, "2001:db8::5")
		}, testenv.WithTrustedProxies("127.0.0.1/32", "10.0.0.0/8"))
	})
}

func TestAgentLookupIP(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		a := env.NewAgent(owner.Token, env.NewWorkspace(owner, "Lookup"), "a")
		env.Bootstrap(&a)
		for in, want := range map[string]string{"8.8.8.8": "8.8.8.8", "2001:DB8::1": "2001:db8::1", "::ffff:192.0.2.1": "192.0.2.1"} {
			r := env.Do(testenv.Request{Method: "GET", Path: "/agent/api/lookup/ip/" + in, Header: a.Headers()})
			if r.Status != 200 {
				t.Fatalf("lookup %s: %d %s", in, r.Status, r.Body)
			}
			body := r.Map(t)
			if body["ip"] != want {
				t.Errorf("lookup %s: ip %v, want %s", in, body["ip"], want)
			}
			wantTime(t, "timestamp", body["timestamp"])
		}
		for _, bad := range []string{"not-an-ip", "999.1.1.1", "8.8.8"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/api/lookup/ip/" + bad, Header: a.Headers()}), 400, bad)
		}
	})
}

// The brute-force tests use a limit of bruteLimit failures per minute and
// trust the test client as a proxy, so X-Forwarded-For picks the address.
const bruteLimit = 3

func viaIP(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

func wantRateLimited(t testing.TB, r *testenv.Response, exact string) {
	t.Helper()
	wantExactJSON(t, r, http.StatusTooManyRequests, exact)
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After %q, want whole seconds in [1, 60]", r.Header.Get("Retry-After"))
	}
}

const loginRateLimited = `{"status":"","error":"rate_limited"}`

func TestAgentPINGuessesLimitedPerIP(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Brute")
		victim := env.NewAgent(owner.Token, ws, "victim")
		// Each guess names another agent, so only the address accumulates failures.
		for i := range bruteLimit {
			wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": ws, "agent_id": 900000 + i, "pin": "123456789"}, viaIP("192.0.2.1")),
				401, `{"status":"","error":"pin_verification_failed"}`)
		}
		wantRateLimited(t, env.AgentLogin(map[string]any{"workspace_id": ws, "agent_id": 900100, "pin": "123456789"}, viaIP("192.0.2.1")), loginRateLimited)
		// The blocked address may not even try a valid PIN (PINs are short) …
		wantRateLimited(t, env.AgentLogin(loginBody(victim, "pin", victim.PIN), viaIP("192.0.2.1")), loginRateLimited)
		// … which is then still valid from elsewhere: nothing was burned.
		if r := env.AgentLogin(loginBody(victim, "pin", victim.PIN), viaIP("192.0.2.2")); r.Status != 200 {
			t.Fatalf("valid PIN from another address: %d %s", r.Status, r.Body)
		}
	}, testenv.WithAuthRateLimit(bruteLimit), testenv.WithTrustedProxies("127.0.0.1/32"))
}

func TestAgentPINGuessesFromManyIPsBurnThePIN(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Distributed")
		victim := env.NewAgent(owner.Token, ws, "victim")
		bystander := env.NewAgent(owner.Token, ws, "bystander")
		for i := range bruteLimit {
			wantExactJSON(t, env.AgentLogin(loginBody(victim, "pin", wrongPIN(victim.PIN)), viaIP(fmt.Sprintf("198.51.100.%d", i+1))),
				401, `{"status":"","error":"pin_verification_failed"}`)
		}
		// The agent is over its limit: further guesses from fresh addresses are refused …
		wantRateLimited(t, env.AgentLogin(loginBody(victim, "pin", wrongPIN(victim.PIN)), viaIP("198.51.100.50")), loginRateLimited)
		// … and its PIN was burned: even the right PIN no longer bootstraps
		// (a valid PIN is never refused for others' failures, so this is the burn).
		if r := env.AgentLogin(loginBody(victim, "pin", victim.PIN), viaIP("198.51.100.51")); r.Status == 200 {
			t.Fatalf("the PIN still worked after distributed guessing: %s", r.Body)
		}
		// Other agents are unaffected.
		if r := env.AgentLogin(loginBody(bystander, "pin", bystander.PIN), viaIP("198.51.100.52")); r.Status != 200 {
			t.Errorf("bystander's PIN: %d %s", r.Status, r.Body)
		}
		// The operator issues a new PIN; it works although the agent's limit is still exhausted.
		victim.PIN = env.Call("POST", victim.Path("issue-pin"), owner.Token, nil, 200).Map(t)["pin"].(string)
		if r := env.AgentLogin(loginBody(victim, "pin", victim.PIN), viaIP("198.51.100.53")); r.Status != 200 {
			t.Errorf("new PIN after the burn: %d %s", r.Status, r.Body)
		}
	}, testenv.WithAuthRateLimit(bruteLimit), testenv.WithTrustedProxies("127.0.0.1/32"))
}

func TestAgentPSKGuessesLimited(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "PSK")
		a := env.NewAgent(owner.Token, ws, "a")
		env.Bootstrap(&a)
		b := env.NewAgent(owner.Token, ws, "b")
		env.Bootstrap(&b)
		wrong := strings.Repeat("cd", 32)

		// Per address: guesses against different agents from one address.
		for i := range bruteLimit {
			wantExactJSON(t, env.AgentLogin(map[string]any{"workspace_id": ws, "agent_id": 800000 + i, "psk": wrong}, viaIP("192.0.2.10")),
				401, `{"status":"","error":"invalid_psk"}`)
		}
		wantRateLimited(t, env.AgentLogin(map[string]any{"workspace_id": ws, "agent_id": 800100, "psk": wrong}, viaIP("192.0.2.10")), loginRateLimited)
		h := a.Headers()
		h["X-Agent-PSK"] = wrong
		h["X-Forwarded-For"] = "192.0.2.10"
		wantRateLimited(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: h}), `{"error":"rate_limited"}`)
		// A valid PSK still works from the blocked address, on login and on the agent API.
		if r := env.AgentLogin(loginBody(a, "psk", a.PSK), viaIP("192.0.2.10")); r.Status != 200 {
			t.Errorf("valid PSK from a blocked address: %d %s", r.Status, r.Body)
		}
		h = a.Headers()
		h["X-Forwarded-For"] = "192.0.2.10"
		if r := env.Do(testenv.Request{Method: "GET", Path: "/agent/time", Header: h}); r.Status != 200 {
			t.Errorf("valid PSK headers from a blocked address: %d %s", r.Status, r.Body)
		}

		// Per agent: guesses for b from many addresses.
		for i := range bruteLimit {
			wantExactJSON(t, env.AgentLogin(loginBody(b, "psk", wrong), viaIP(fmt.Sprintf("203.0.113.%d", i+1))),
				401, `{"status":"","error":"invalid_psk"}`)
		}
		wantRateLimited(t, env.AgentLogin(loginBody(b, "psk", wrong), viaIP("203.0.113.99")), loginRateLimited)
		if r := env.AgentLogin(loginBody(b, "psk", b.PSK), viaIP("203.0.113.99")); r.Status != 200 {
			t.Errorf("valid PSK of an agent under attack: %d %s", r.Status, r.Body)
		}
	}, testenv.WithAuthRateLimit(bruteLimit), testenv.WithTrustedProxies("127.0.0.1/32"))
}

// TestBootstrapManyAgentsFromOneAddress: only failures count, so an
// installer bootstrapping many agents from one address is never limited.
func TestBootstrapManyAgentsFromOneAddress(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		ws := env.NewWorkspace(owner, "Fleet")
		for i := range 30 {
			a := env.NewAgent(owner.Token, ws, fmt.Sprintf("agent %d", i))
			r := env.AgentLogin(loginBody(a, "pin", a.PIN), viaIP("192.0.2.200"))
			if r.Status != 200 {
				t.Fatalf("bootstrap %d: %d %s", i, r.Status, r.Body)
			}
			psk, _ := r.Map(t)["psk"].(string)
			if r := env.AgentLogin(loginBody(a, "psk", psk), viaIP("192.0.2.200")); r.Status != 200 {
				t.Fatalf("PSK login %d: %d %s", i, r.Status, r.Body)
			}
		}
	}, testenv.WithAuthRateLimit(5), testenv.WithTrustedProxies("127.0.0.1/32"))
}
