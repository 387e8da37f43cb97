package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/netwatcher/netwatcher/controller/lookup/geoip/geoiptest"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

// The fixtures' answers as the API shows them (geoiptest documents the data).
const (
	mountainViewJSON = `{"ip":"192.0.2.10","city":{"name":"Mountain View","subdivision":"CA"},"country":{"code":"US","name":"United States"},` +
		`"asn":{"number":15169,"organization":"GOOGLE"},"coordinates":{"latitude":37.4056,"longitude":-122.0775,"accuracy_radius":1000}}`
	vancouverJSON = `{"ip":"2001:db8::1","city":{"name":"Vancouver","subdivision":"BC"},"country":{"code":"CA","name":"Canada"},` +
		`"asn":{"number":852,"organization":"TELUS Communications"},"coordinates":{"latitude":49.2827,"longitude":-123.1207,"accuracy_radius":50}}`
)

// withMaxMindGeoIP configures GeoLite2-shaped City and ASN databases through
// NETWATCHER_GEOIP_CITY and NETWATCHER_GEOIP_ASN.
func withMaxMindGeoIP(t *testing.T) testenv.Option {
	city, asn := geoiptest.MaxMindFixtures(t, t.TempDir())
	return testenv.WithGeoIPFiles([]string{city}, nil, []string{asn})
}

func geoIPPath(ip string) string { return "/geoip/lookup?ip=" + url.QueryEscape(ip) }

func TestGeoIPMaxMindSchema(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for ip, want := range map[string]string{
			"192.0.2.10":        mountainViewJSON,
			"::ffff:192.0.2.10": mountainViewJSON,
			"2001:db8::1":       vancouverJSON,
			"2001:DB8:0::1":     vancouverJSON,
			// Parts the databases lack are left out.
			"198.51.100.7": `{"ip":"198.51.100.7","country":{"code":"DE","name":"Germany"}}`,
			"203.0.113.9":  `{"ip":"203.0.113.9","country":{"code":"JP","name":"Japan"},"asn":{"number":64500,"organization":"EXAMPLE-AS"}}`,
			"100.64.0.1":   `{"ip":"100.64.0.1"}`,
			"2001:db9::1":  `{"ip":"2001:db9::1"}`,
		} {
			wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: geoIPPath(ip), Token: u.Token}), http.StatusOK, want)
		}
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/geoip/status", Token: u.Token}), http.StatusOK,
			`{"city":true,"country":false,"asn":true}`)
	}, withMaxMindGeoIP(t))
}

// TestGeoIPFlatSchema: ip-location-db files dropped into <data-dir>/geoip
// are found by their metadata, IPv4 and IPv6 trees apart.
func TestGeoIPFlatSchema(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for ip, want := range map[string]string{
			"192.0.2.10": `{"ip":"192.0.2.10","city":{"name":"Mountain View","subdivision":"California"},"country":{"code":"US","name":"United States"},` +
				`"coordinates":{"latitude":37.422,"longitude":-122.085}}`,
			"2001:db8::5": `{"ip":"2001:db8::5","city":{"name":"Montreal","subdivision":"Quebec"},"country":{"code":"CA","name":"Canada"},` +
				`"coordinates":{"latitude":45.5019,"longitude":-73.5674}}`,
			"198.51.100.7": `{"ip":"198.51.100.7","country":{"code":"GB","name":"United Kingdom"},"asn":{"number":2856,"organization":"British Telecommunications PLC"}}`,
		} {
			wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: geoIPPath(ip), Token: u.Token}), http.StatusOK, want)
		}
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/geoip/status", Token: u.Token}), http.StatusOK,
			`{"city":true,"country":true,"asn":true}`)
	}, testenv.WithGeoIPDir(func(dir string) { geoiptest.FlatFixtures(t, dir) }))
}

func TestGeoIPBulk(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		// One bad entry fails only itself; order is kept.
		r := env.Call("POST", "/geoip/lookup", u.Token, map[string]any{"ips": []string{"192.0.2.10", "not-an-ip", "2001:db8::1", "fe80::1%eth0"}}, http.StatusOK)
		wantExactJSON(t, r, http.StatusOK, `{"data":[`+mountainViewJSON+`,{"ip":"not-an-ip","error":"invalid IP address"},`+
			vancouverJSON+`,{"ip":"fe80::1%eth0","error":"invalid IP address"}],"total":4}`)

		hundred := make([]string, 100)
		for i := range hundred {
			hundred[i] = fmt.Sprintf("192.0.2.%d", i)
		}
		var out struct {
			Data  []map[string]any `json:"data"`
			Total int              `json:"total"`
		}
		env.Call("POST", "/geoip/lookup", u.Token, map[string]any{"ips": hundred}, http.StatusOK).JSON(t, &out)
		if out.Total != 100 || len(out.Data) != 100 || out.Data[99]["ip"] != "192.0.2.99" || out.Data[99]["asn"] == nil {
			t.Errorf("bulk of 100: total %d, %d entries, last %v", out.Total, len(out.Data), out.Data[len(out.Data)-1])
		}
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/geoip/lookup", Token: u.Token, Body: map[string]any{"ips": append(hundred, "192.0.2.1")}}),
			http.StatusBadRequest, "at most 100")
		for _, body := range []any{map[string]any{}, map[string]any{"ips": []string{}}, map[string]any{"ips": "192.0.2.1"}, `{"ips":[1,2]}`, `{"ips":`} {
			wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/geoip/lookup", Token: u.Token, Body: body}), http.StatusBadRequest)
		}
	}, withMaxMindGeoIP(t))
}

// TestGeoIPNotConfigured: bad input is still 400; valid input is a 503
// that says what to set; status is all false.
func TestGeoIPNotConfigured(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/geoip/status", Token: u.Token}), http.StatusOK,
			`{"city":false,"country":false,"asn":false}`)
		for _, bad := range []string{"not-an-ip", "999.1.1.1", "192.0.2.1/24", "fe80::1%eth0"} {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: geoIPPath(bad), Token: u.Token}), http.StatusBadRequest, "not an IP address")
		}
		wantError(t, env.Do(testenv.Request{Method: "GET", Path: "/geoip/lookup", Token: u.Token}), http.StatusBadRequest, "ip is required")
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/geoip/lookup", Token: u.Token, Body: map[string]any{"ips": []string{}}}),
			http.StatusBadRequest)
		for _, r := range []*testenv.Response{
			env.Do(testenv.Request{Method: "GET", Path: geoIPPath("192.0.2.10"), Token: u.Token}),
			env.Do(testenv.Request{Method: "GET", Path: geoIPPath("2001:db8::1"), Token: u.Token}),
			env.Do(testenv.Request{Method: "POST", Path: "/geoip/lookup", Token: u.Token, Body: map[string]any{"ips": []string{"192.0.2.10", "bad"}}}),
		} {
			wantError(t, r, http.StatusServiceUnavailable, "GeoIP not configured", "NETWATCHER_GEOIP_CITY")
		}
	})
}
