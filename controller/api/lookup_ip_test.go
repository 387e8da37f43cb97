package api_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/dnstest"
	"github.com/netwatcher/netwatcher/controller/lookup/whois/whoistest"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

// The "geoip" objects of IP reports carry no address of their own.
const (
	mountainViewDetails = `{"city":{"name":"Mountain View","subdivision":"CA"},"country":{"code":"US","name":"United States"},` +
		`"asn":{"number":15169,"organization":"GOOGLE"},"coordinates":{"latitude":37.4056,"longitude":-122.0775,"accuracy_radius":1000}}`
	vancouverDetails = `{"city":{"name":"Vancouver","subdivision":"BC"},"country":{"code":"CA","name":"Canada"},` +
		`"asn":{"number":852,"organization":"TELUS Communications"},"coordinates":{"latitude":49.2827,"longitude":-123.1207,"accuracy_radius":50}}`
)

// testZone is the name servers' view of the fixtures' addresses.
func testZone() dnstest.Zone {
	return dnstest.Zone{
		PTR: map[netip.Addr]string{
			netip.MustParseAddr("192.0.2.10"):  "mv.example.test.",
			netip.MustParseAddr("2001:db8::1"): "yvr.example.test.",
		},
		Hosts: map[string][]netip.Addr{"nw.example.test": {netip.MustParseAddr("45.40.16.9")}},
	}
}

// wantReport checks an IP report: exactly want apart from a current timestamp.
func wantReport(t testing.TB, r *testenv.Response, want string) {
	t.Helper()
	body := r.Map(t)
	if ts := wantTime(t, "timestamp", body["timestamp"]); time.Since(ts).Abs() > time.Minute {
		t.Errorf("timestamp %v is not now", ts)
	}
	delete(body, "timestamp")
	wantExactJSON(t, &testenv.Response{Status: r.Status, Header: r.Header, Body: []byte(mustJSON(t, body))}, http.StatusOK, want)
}

func TestLookupIP(t *testing.T) {
	t.Parallel()
	dns := dnstest.Start(t, testZone())
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for ip, want := range map[string]string{
			"192.0.2.10":        `{"ip":"192.0.2.10","geoip":` + mountainViewDetails + `,"reverse_dns":"mv.example.test"}`,
			"::ffff:192.0.2.10": `{"ip":"192.0.2.10","geoip":` + mountainViewDetails + `,"reverse_dns":"mv.example.test"}`,
			"2001:db8::1":       `{"ip":"2001:db8::1","geoip":` + vancouverDetails + `,"reverse_dns":"yvr.example.test"}`,
			"198.51.100.7":      `{"ip":"198.51.100.7","geoip":{"country":{"code":"DE","name":"Germany"}}}`,
			"100.64.0.1":        `{"ip":"100.64.0.1"}`, // known to no one
			"127.0.0.1":         `{"ip":"127.0.0.1","reverse_dns":"localhost"}`,
		} {
			wantReport(t, env.Call("GET", "/lookup/ip/"+url.PathEscape(ip), u.Token, nil, http.StatusOK), want)
		}
		for _, bad := range []string{"not-an-ip", "999.1.1.1", "8.8.8", "fe80::1%eth0"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/lookup/ip/" + url.PathEscape(bad), Token: u.Token}), http.StatusBadRequest, "not an IP address")
		}
	}, withMaxMindGeoIP(t), testenv.WithResolver(dns.Resolver()))
}

// TestLookupIPWithoutData: no databases, no name server: still 200.
func TestLookupIPWithoutData(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite)
	wantReport(t, env.Call("GET", "/lookup/ip/192.0.2.10", env.NewUser().Token, nil, http.StatusOK), `{"ip":"192.0.2.10"}`)
}

func TestAgentLookupsEnriched(t *testing.T) {
	t.Parallel()
	dns := dnstest.Start(t, testZone())
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		owner := env.NewUser()
		a := env.NewAgent(owner.Token, env.NewWorkspace(owner, "Lookups"), "a")
		env.Bootstrap(&a)
		h := a.Headers()
		h["X-Forwarded-For"] = "192.0.2.10" // the test client is a trusted proxy

		whoami := env.Do(testenv.Request{Method: "GET", Path: "/agent/api/whoami", Header: h})
		wantReport(t, whoami, `{"ip":"192.0.2.10","geoip":`+mountainViewDetails+`,"reverse_dns":"mv.example.test"}`)
		if cc := whoami.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("whoami Cache-Control %q", cc)
		}
		wantReport(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/api/whoami?quick=true", Header: h}), `{"ip":"192.0.2.10"}`)
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/api/whoami?quick=maybe", Header: h}), http.StatusBadRequest, "quick")
		wantReport(t, env.Do(testenv.Request{Method: "GET", Path: "/agent/api/lookup/ip/2001:db8::1", Header: a.Headers()}),
			`{"ip":"2001:db8::1","geoip":`+vancouverDetails+`,"reverse_dns":"yvr.example.test"}`)
	}, withMaxMindGeoIP(t), testenv.WithResolver(dns.Resolver()), testenv.WithTrustedProxies("127.0.0.1/32"))
}

func TestCombinedLookup(t *testing.T) {
	t.Parallel()
	dns := dnstest.Start(t, testZone())
	withWhoisInternet(t, func(t *testing.T, env *testenv.Env, _ *whoisInternet) {
		u := env.NewUser()
		combined := func(input string) map[string]any {
			return env.Call("GET", "/lookup/combined?"+url.Values{"ip": {input}}.Encode(), u.Token, nil, http.StatusOK).Map(t)
		}
		res := combined("45.40.16.9")
		wantKeys(t, "combined", res, []string{"ip", "geoip", "whois"})
		if res["ip"] != "45.40.16.9" || res["whois"].(map[string]any)["parsed"].(map[string]any)["netname"] != "NWC-45-40-16" {
			t.Errorf("combined 45.40.16.9: %v", res)
		}
		wantExactJSON(t, &testenv.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(mustJSON(t, res["geoip"]))},
			http.StatusOK, `{"ip":"45.40.16.9"}`)

		// A host name is resolved first; its WHOIS answer is now cached.
		res = combined("NW.example.test.")
		wantKeys(t, "combined by name", res, []string{"ip", "hostname", "geoip", "whois", "cached", "cache_time"})
		if res["ip"] != "45.40.16.9" || res["hostname"] != "nw.example.test" || res["cached"] != true || res["whois"].(map[string]any)["cached"] != true {
			t.Errorf("combined by name: %v", res)
		}

		res = combined("localhost")
		if res["ip"] != "127.0.0.1" || res["hostname"] != "localhost" || res["whois"].(map[string]any)["parsed"].(map[string]any)["netname"] != "LOOPBACK-ADDRESS" {
			t.Errorf("combined localhost: %v", res)
		}
		res = combined("192.0.2.10")
		if g := res["geoip"].(map[string]any); g["ip"] != "192.0.2.10" || g["city"].(map[string]any)["name"] != "Mountain View" {
			t.Errorf("combined 192.0.2.10: %v", res)
		}

		wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/lookup/combined?ip=nowhere.example.test", Token: u.Token}), http.StatusNotFound, "does not resolve")
		for _, bad := range []string{"", "-h x", "a;b", "8.8.8", "999.1.1.1", "exa mple.com", "example.com\n"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/lookup/combined?" + url.Values{"ip": {bad}}.Encode(), Token: u.Token}), http.StatusBadRequest)
		}
	}, withMaxMindGeoIP(t), testenv.WithResolver(dns.Resolver()))
}

// TestCombinedPartialFailure: failed parts are reported under errors, the
// rest is still answered with 200.
func TestCombinedPartialFailure(t *testing.T) {
	t.Parallel()
	internet := newWhoisInternet(t)
	internet.net.Serve("slow.example:43", whoistest.NeverAnswer)
	env := testenv.Start(t, testenv.SQLite, testenv.WithWhois("slow.example:43", internet.net.Dial), testenv.WithWhoisTimeout(100*time.Millisecond))
	u := env.NewUser()
	res := env.Call("GET", "/lookup/combined?ip=45.40.16.9", u.Token, nil, http.StatusOK).Map(t)
	wantKeys(t, "combined", res, []string{"ip", "errors"})
	errs := res["errors"].(map[string]any)
	wantKeys(t, "errors", errs, []string{"geoip", "whois"})
	if errs["geoip"] != "GeoIP not configured" || !strings.Contains(errs["whois"].(string), "timed out") {
		t.Errorf("errors %v", errs)
	}
	// Only failed parts appear.
	res = env.Call("GET", "/lookup/combined?ip=10.0.0.1", u.Token, nil, http.StatusOK).Map(t)
	wantKeys(t, "combined", res, []string{"ip", "whois", "errors"})
	wantKeys(t, "errors", res["errors"].(map[string]any), []string{"geoip"})
}

// TestLookupsNeedAUser: every lookup endpoint wants a user's JWT.
func TestLookupsNeedAUser(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite)
	for _, req := range []testenv.Request{
		{Method: "GET", Path: geoIPPath("192.0.2.1")},
		{Method: "POST", Path: "/geoip/lookup", Body: map[string]any{"ips": []string{"192.0.2.1"}}},
		{Method: "GET", Path: "/geoip/status"},
		{Method: "GET", Path: "/lookup/oui/00:1C:42:AB:CD:EF"},
		{Method: "POST", Path: "/lookup/oui", Body: map[string]any{"macs": []string{"00:1C:42:AB:CD:EF"}}},
		{Method: "GET", Path: "/lookup/oui/status"},
		{Method: "GET", Path: whoisPath("query", "10.0.0.1")},
		{Method: "GET", Path: "/lookup/combined?ip=10.0.0.1"},
		{Method: "GET", Path: "/lookup/ip/10.0.0.1"},
	} {
		wantError(t, env.Do(req), http.StatusUnauthorized)
		req.Token = "not-a-token"
		wantError(t, env.Do(req), http.StatusUnauthorized)
	}
}
