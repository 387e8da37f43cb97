package geoip

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/netwatcher/netwatcher/controller/lookup/geoip/geoiptest"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/lookuptest"
)

func cityNamed(name string) map[string]mmdbtype.Map {
	return map[string]mmdbtype.Map{"192.0.2.0/24": geoiptest.MaxMindCity(name, "CA", "US", "United States", 37.4, -122.1, 20)}
}

func TestWatchReloadsReplacedFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cityPath := filepath.Join(dir, "GeoLite2-City.mmdb")
	geoiptest.WriteDB(t, cityPath, "GeoLite2-City", 6, cityNamed("Mountain View"))
	log := &lookuptest.Log{}
	l := mustOpen(t, Config{Dir: dir, ReloadInterval: 5 * time.Millisecond, Logger: log.Logger()})

	cityOf := func() string {
		res, err := l.Lookup("192.0.2.1")
		if err != nil {
			return err.Error()
		}
		return res.City.Name
	}
	if got := cityOf(); got != "Mountain View" { // also caches the result
		t.Fatalf("city = %q", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { l.Watch(ctx) })
	// Lookups keep running during reloads so the race detector sees swaps
	// and closes happening under concurrent readers.
	wg.Go(func() {
		for ctx.Err() == nil {
			if _, err := l.Lookup("192.0.2.1"); err != nil && !errors.Is(err, ErrNotConfigured) {
				t.Errorf("lookup during reload: %v", err)
				return
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })

	geoiptest.WriteDB(t, cityPath, "GeoLite2-City", 6, cityNamed("Sunnyvale"))
	lookuptest.Eventually(t, "the replaced city database is served", func() bool { return cityOf() == "Sunnyvale" })

	// A broken replacement is reported and the previous version stays in service.
	broken := filepath.Join(dir, ".broken")
	if err := os.WriteFile(broken, []byte("half written"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(broken, cityPath); err != nil {
		t.Fatal(err)
	}
	lookuptest.Eventually(t, "the broken file is logged", func() bool { return strings.Contains(log.String(), cityPath) })
	if got := cityOf(); got != "Sunnyvale" {
		t.Errorf("after a broken replacement city = %q, want the previous Sunnyvale", got)
	}
	time.Sleep(20 * l.cfg.ReloadInterval) // further polls must not retry the unchanged broken file
	if n := log.Count("cannot use database file"); n != 1 {
		t.Errorf("broken file reported %d times, want once:\n%s", n, log.String())
	}

	geoiptest.WriteDB(t, cityPath, "GeoLite2-City", 6, cityNamed("Palo Alto"))
	lookuptest.Eventually(t, "the repaired city database is served", func() bool { return cityOf() == "Palo Alto" })

	// New files are picked up, removed ones dropped.
	geoiptest.WriteDB(t, filepath.Join(dir, "GeoLite2-ASN.mmdb"), "GeoLite2-ASN", 6, map[string]mmdbtype.Map{"192.0.2.0/24": geoiptest.ASNRecord(64496, "DOC-AS")})
	lookuptest.Eventually(t, "a new ASN database is loaded", func() bool { return l.Status() == Status{City: true, ASN: true} })
	if err := os.Remove(cityPath); err != nil {
		t.Fatal(err)
	}
	lookuptest.Eventually(t, "the removed city database is dropped", func() bool { return l.Status() == Status{ASN: true} })
	if got := cityOf(); got != "" {
		t.Errorf("city %q still served after its file was removed", got)
	}
}

func TestWatchStopsWithContext(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, Config{ReloadInterval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Watch(ctx); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch kept running after its context was cancelled")
	}
}

func TestWatchConfiguredFileRemovedAndRestored(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "asn.mmdb")
	asn := map[string]mmdbtype.Map{"192.0.2.0/24": geoiptest.ASNRecord(64496, "DOC-AS")}
	geoiptest.WriteDB(t, path, "GeoLite2-ASN", 6, asn)
	log := &lookuptest.Log{}
	l := mustOpen(t, Config{ASN: []string{path}, ReloadInterval: 5 * time.Millisecond, Logger: log.Logger()})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { l.Watch(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	lookuptest.Eventually(t, "the removed file is dropped", func() bool { return l.Status() == Status{} })
	time.Sleep(20 * l.cfg.ReloadInterval)
	if n := log.Count("geoip reload"); n != 1 {
		t.Errorf("missing file reported %d times, want once:\n%s", n, log.String())
	}
	geoiptest.WriteDB(t, path, "GeoLite2-ASN", 6, asn)
	lookuptest.Eventually(t, "the restored file is loaded", func() bool { return l.Status() == Status{ASN: true} })
}
