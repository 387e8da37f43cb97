package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

const authLimit = 3

// wantLimited checks a 429 with a usable Retry-After.
func wantLimited(t testing.TB, r *testenv.Response, mentions string) {
	t.Helper()
	wantError(t, r, http.StatusTooManyRequests, mentions)
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After = %q, want whole seconds in [1, 60]", r.Header.Get("Retry-After"))
	}
}

func fromIP(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

func TestFailedLoginsLimitedPerIP(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		// Each failure names another (unknown) account, so only the IP
		// limit can trigger; the forwarded-for header is ignored because
		// no proxy is trusted, so spoofing it does not help.
		for i := range authLimit {
			r := login(env, fmt.Sprintf("guess%d@example.com", i), "wrong password", fromIP(fmt.Sprintf("192.0.2.%d", i+1)))
			wantError(t, r, http.StatusUnauthorized, "invalid email or password")
		}
		wantLimited(t, login(env, "guess-next@example.com", "wrong password", fromIP("192.0.2.99")), "address")
		// While the IP is blocked even a correct password waits.
		wantLimited(t, login(env, u.Email, testenv.Password, nil), "address")
	}, testenv.WithAuthRateLimit(authLimit))
}

func TestSuccessfulLoginsDoNotCount(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for i := range authLimit + 5 {
			if r := login(env, u.Email, testenv.Password, nil); r.Status != http.StatusOK {
				t.Fatalf("successful login %d: status %d; body %s", i+1, r.Status, r.Body)
			}
		}
		// The limiter is on: failures still count from here.
		for range authLimit {
			wantError(t, login(env, u.Email, "wrong password", nil), http.StatusUnauthorized)
		}
		wantLimited(t, login(env, u.Email, "wrong password", nil), "")
	}, testenv.WithAuthRateLimit(authLimit))
}

func TestFailedLoginsLimitedPerAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		victim := env.NewUser()
		// One failure each from distinct addresses: no IP reaches its limit.
		for i := range authLimit {
			wantError(t, login(env, victim.Email, "wrong password", fromIP(fmt.Sprintf("203.0.113.%d", i+1))), http.StatusUnauthorized)
		}
		wantLimited(t, login(env, victim.Email, "wrong password", fromIP("203.0.113.50")), "account")
		// The account key is the normalised email.
		wantLimited(t, login(env, " "+victim.Email+" ", "wrong password", fromIP("203.0.113.51")), "account")
		// Another account from a fresh address is not affected.
		other := env.NewUser()
		if r := login(env, other.Email, testenv.Password, fromIP("203.0.113.52")); r.Status != http.StatusOK {
			t.Fatalf("login of an unrelated account: status %d; body %s", r.Status, r.Body)
		}

		// With a trusted proxy, X-Forwarded-For is the client: its failures
		// block that client only.
		for i := range authLimit {
			wantError(t, login(env, fmt.Sprintf("x%d@example.com", i), "wrong password", fromIP("198.51.100.7")), http.StatusUnauthorized)
		}
		wantLimited(t, login(env, other.Email, testenv.Password, fromIP("198.51.100.7")), "address")
		if r := login(env, other.Email, testenv.Password, fromIP("198.51.100.8")); r.Status != http.StatusOK {
			t.Fatalf("login from a different forwarded address: status %d; body %s", r.Status, r.Body)
		}
	}, testenv.WithAuthRateLimit(authLimit), testenv.WithTrustedProxies("127.0.0.1/32", "::1/128"))
}

func TestRegistrationsLimitedPerIP(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		register := func(i int, ip string) *testenv.Response {
			return env.Do(testenv.Request{Method: "POST", Path: "/auth/register", Header: fromIP(ip),
				Body: map[string]string{"email": fmt.Sprintf("reg%d@example.com", i), "password": "long enough"}})
		}
		for i := range authLimit {
			if r := register(i, "192.0.2.10"); r.Status != http.StatusCreated {
				t.Fatalf("registration %d: status %d; body %s", i+1, r.Status, r.Body)
			}
		}
		wantLimited(t, register(authLimit, "192.0.2.10"), "registrations")
		if r := register(authLimit+1, "192.0.2.11"); r.Status != http.StatusCreated {
			t.Fatalf("registration from another address: status %d; body %s", r.Status, r.Body)
		}
	}, testenv.WithAuthRateLimit(authLimit), testenv.WithTrustedProxies("127.0.0.1/32", "::1/128"))
}

// TestRateLimitZeroDisables goes past the default limit (10) with limiting off.
func TestRateLimitZeroDisables(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for i := range 12 {
			if r := login(env, u.Email, "wrong password", nil); r.Status != http.StatusUnauthorized {
				t.Fatalf("failed login %d with limiting off: status %d; body %s", i+1, r.Status, r.Body)
			}
		}
		env.Call("POST", "/auth/login", "", map[string]string{"email": u.Email, "password": testenv.Password}, http.StatusOK)
		// Every registration attempt counts, valid or not; invalid ones are
		// cheap (no password hashing).
		for i := range 12 {
			r := env.Do(testenv.Request{Method: "POST", Path: "/auth/register", Body: map[string]string{"email": "short@example.com", "password": "short"}})
			if r.Status != http.StatusBadRequest {
				t.Fatalf("registration attempt %d with limiting off: status %d; body %s", i+1, r.Status, r.Body)
			}
		}
		env.NewUser()
	}, testenv.WithAuthRateLimit(0))
}

// TestIPv6ClientsCountPerSlash64: a client picking a new address of its
// /64 for each attempt is still one client.
func TestIPv6ClientsCountPerSlash64(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite, testenv.WithAuthRateLimit(authLimit), testenv.WithTrustedProxies("127.0.0.1/32", "::1/128"))
	for i := range authLimit {
		r := login(env, fmt.Sprintf("v6-%d@example.com", i), "wrong password", fromIP(fmt.Sprintf("2001:db8:0:1::%x", i+1)))
		wantError(t, r, http.StatusUnauthorized)
	}
	wantLimited(t, login(env, "v6-next@example.com", "wrong password", fromIP("2001:db8:0:1:ffff::1")), "address")
	wantError(t, login(env, "v6-other@example.com", "wrong password", fromIP("2001:db8:0:2::1")), http.StatusUnauthorized)
}
