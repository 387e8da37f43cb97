package geoip

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/netwatcher/netwatcher/controller/lookup/geoip/geoiptest"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/lookuptest"
)

// lookupJSON looks ip up and returns the result as the API would encode it.
func lookupJSON(t *testing.T, l *Locator, ip string) string {
	t.Helper()
	res, err := l.Lookup(ip)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", ip, err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func mustOpen(t *testing.T, cfg Config) *Locator {
	t.Helper()
	l, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestMaxMindSchema(t *testing.T) {
	t.Parallel()
	city, asn := geoiptest.MaxMindFixtures(t, t.TempDir())
	l := mustOpen(t, Config{City: []string{city}, ASN: []string{asn}})

	tests := map[string]string{
		"192.0.2.10": `{"ip":"192.0.2.10","city":{"name":"Mountain View","subdivision":"CA"},"country":{"code":"US","name":"United States"},` +
			`"asn":{"number":15169,"organization":"GOOGLE"},"coordinates":{"latitude":37.4056,"longitude":-122.0775,"accuracy_radius":1000}}`,
		"::ffff:192.0.2.10": `{"ip":"192.0.2.10","city":{"name":"Mountain View","subdivision":"CA"},"country":{"code":"US","name":"United States"},` +
			`"asn":{"number":15169,"organization":"GOOGLE"},"coordinates":{"latitude":37.4056,"longitude":-122.0775,"accuracy_radius":1000}}`,
		"2001:db8::1": `{"ip":"2001:db8::1","city":{"name":"Vancouver","subdivision":"BC"},"country":{"code":"CA","name":"Canada"},` +
			`"asn":{"number":852,"organization":"TELUS Communications"},"coordinates":{"latitude":49.2827,"longitude":-123.1207,"accuracy_radius":50}}`,
		"198.51.100.7": `{"ip":"198.51.100.7","country":{"code":"DE","name":"Germany"}}`,
		"203.0.113.9":  `{"ip":"203.0.113.9","country":{"code":"JP","name":"Japan"},"asn":{"number":64500,"organization":"EXAMPLE-AS"}}`,
		"100.64.0.1":   `{"ip":"100.64.0.1"}`,
		"2001:db9::1":  `{"ip":"2001:db9::1"}`,
		"2001:db8:1::": `{"ip":"2001:db8:1::","asn":{"number":852,"organization":"TELUS Communications"}}`,
	}
	for ip, want := range tests {
		if got := lookupJSON(t, l, ip); got != want {
			t.Errorf("Lookup(%s)\n got %s\nwant %s", ip, got, want)
		}
	}
	if got, want := l.Status(), (Status{City: true, ASN: true}); got != want {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
}

func TestFlatSchemaAutoDetected(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	geoiptest.FlatFixtures(t, dir)
	l := mustOpen(t, Config{Dir: dir})

	tests := map[string]string{
		// Country name from the built-in table; float32 coordinates kept as written.
		"192.0.2.1": `{"ip":"192.0.2.1","city":{"name":"Mountain View","subdivision":"California"},"country":{"code":"US","name":"United States"},` +
			`"coordinates":{"latitude":37.422,"longitude":-122.085}}`,
		// The IPv4-only city file is skipped for IPv6; the city's country wins over the country file's.
		"2001:db8::5": `{"ip":"2001:db8::5","city":{"name":"Montreal","subdivision":"Quebec"},"country":{"code":"CA","name":"Canada"},` +
			`"coordinates":{"latitude":45.5019,"longitude":-73.5674}}`,
		"198.51.100.1": `{"ip":"198.51.100.1","country":{"code":"GB","name":"United Kingdom"},"asn":{"number":2856,"organization":"British Telecommunications PLC"}}`,
	}
	for ip, want := range tests {
		if got := lookupJSON(t, l, ip); got != want {
			t.Errorf("Lookup(%s)\n got %s\nwant %s", ip, got, want)
		}
	}
	if got, want := l.Status(), (Status{City: true, Country: true, ASN: true}); got != want {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
}

func TestConfiguredKindReplacesAutoDetection(t *testing.T) {
	t.Parallel()
	flatDir := t.TempDir()
	geoiptest.FlatFixtures(t, flatDir)
	city, _ := geoiptest.MaxMindFixtures(t, t.TempDir())
	l := mustOpen(t, Config{City: []string{city}, Dir: flatDir})

	// City data comes from the configured MaxMind file only; country and ASN
	// files in the directory are still used.
	want := `{"ip":"192.0.2.1","city":{"name":"Mountain View","subdivision":"CA"},"country":{"code":"US","name":"United States"},` +
		`"coordinates":{"latitude":37.4056,"longitude":-122.0775,"accuracy_radius":1000}}`
	if got := lookupJSON(t, l, "192.0.2.1"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := lookupJSON(t, l, "2001:db8:1::5"); got != `{"ip":"2001:db8:1::5","country":{"code":"US","name":"United States"}}` {
		t.Errorf("auto-detected IPv6 city file used although city is configured: %s", got)
	}
	if got := lookupJSON(t, l, "198.51.100.1"); !strings.Contains(got, `"number":2856`) {
		t.Errorf("ASN from the directory missing: %s", got)
	}
}

func TestNotConfigured(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{"nothing": {}, "empty dir": {Dir: t.TempDir()}, "missing dir": {Dir: filepath.Join(t.TempDir(), "none")}} {
		l := mustOpen(t, cfg)
		if _, err := l.Lookup("8.8.8.8"); !errors.Is(err, ErrNotConfigured) {
			t.Errorf("%s: Lookup err = %v, want ErrNotConfigured", name, err)
		}
		if _, err := l.Lookup("8.8.8"); !errors.Is(err, ErrInvalidIP) {
			t.Errorf("%s: invalid input must be reported before missing data, got %v", name, err)
		}
		if st := l.Status(); st != (Status{}) {
			t.Errorf("%s: Status = %+v, want all false", name, st)
		}
	}
}

func TestInvalidIP(t *testing.T) {
	t.Parallel()
	city, _ := geoiptest.MaxMindFixtures(t, t.TempDir())
	l := mustOpen(t, Config{City: []string{city}})
	for _, in := range []string{"", "not-an-ip", "1.2.3.4.5", "256.1.1.1", "fe80::1%eth0", "192.0.2.1/24", " 192.0.2.1"} {
		if res, err := l.Lookup(in); !errors.Is(err, ErrInvalidIP) {
			t.Errorf("Lookup(%q) = %+v, %v; want ErrInvalidIP", in, res, err)
		}
	}
}

func TestOpenFailsForBrokenConfiguredFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.mmdb"), garbage} {
		if l, err := Open(Config{ASN: []string{path}}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%s) = %v, %v; want an error naming the file", path, l, err)
		}
	}
}

func TestDirSkipsUnusableFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.mmdb"), []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	geoiptest.WriteDB(t, filepath.Join(dir, "anonymous.mmdb"), "GeoIP2-Anonymous-IP", 6, map[string]mmdbtype.Map{
		"192.0.2.0/24": {"is_anonymous": mmdbtype.Bool(true)},
	})
	geoiptest.WriteDB(t, filepath.Join(dir, "asn.mmdb"), "GeoLite2-ASN", 6, map[string]mmdbtype.Map{"192.0.2.0/24": geoiptest.ASNRecord(64496, "DOC-AS")})
	log := &lookuptest.Log{}
	l := mustOpen(t, Config{Dir: dir, Logger: log.Logger()})

	if got, want := l.Status(), (Status{ASN: true}); got != want {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
	for _, name := range []string{"broken.mmdb", "anonymous.mmdb"} {
		if !strings.Contains(log.String(), name) {
			t.Errorf("no warning about %s in log:\n%s", name, log.String())
		}
	}
}

func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	city, _ := geoiptest.MaxMindFixtures(t, t.TempDir())
	l := mustOpen(t, Config{City: []string{city}, CacheSize: 2})
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.1"} {
		if _, err := l.Lookup(ip); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.loaded.cache.Len(); n != 2 {
		t.Errorf("cache holds %d results, want 2", n)
	}
}
