package oui

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/lookuptest"
)

// copyTestdata copies the fixture registry into a fresh directory with a
// known modification time on oui.txt.
func copyTestdata(t *testing.T) (dir string, mtime time.Time) {
	t.Helper()
	dir = t.TempDir()
	mtime = time.Date(2024, 5, 1, 12, 30, 15, 0, time.UTC)
	for _, name := range []string{"oui.txt", "mam.txt", "oui36.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime.Add(123*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, mtime
}

func mustOpen(t *testing.T, cfg Config) *Registry {
	t.Helper()
	r, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

func vendorOf(t *testing.T, r *Registry, mac string) string {
	t.Helper()
	res, err := r.Lookup(mac)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", mac, err)
	}
	return res.Vendor
}

func TestLookupFixture(t *testing.T) {
	t.Parallel()
	dir, mtime := copyTestdata(t)
	path := filepath.Join(dir, "oui.txt")
	r := mustOpen(t, Config{Path: path})

	res, err := r.Lookup("001c.42ab.cdef")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(res)
	if want := `{"mac":"00:1C:42:AB:CD:EF","oui":"00-1C-42","vendor":"Parallels, Inc.","found":true}`; string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}

	tests := map[string]string{
		"00-00-5E-00-01-01": "ICANN, IANA Department",
		"74:1A:E0:9A:BC:DE": "Northwind Sensors Ltd",       // MA-M (mam.txt) beats its MA-L block
		"74:1A:E0:8F:FF:FF": "IEEE Registration Authority", // outside the MA-M range
		"70B3D5F2F123":      "Contoso Telemetry GmbH",      // MA-S (oui36.csv, the other format)
		"70:b3:d5:f3:00:00": "IEEE Registration Authority",
	}
	for mac, want := range tests {
		if got := vendorOf(t, r, mac); got != want {
			t.Errorf("vendor of %s = %q, want %q", mac, got, want)
		}
	}

	res, err = r.Lookup("02:00:00:00:00:01")
	if err != nil {
		t.Fatal(err)
	}
	out, _ = json.Marshal(res)
	if want := `{"mac":"02:00:00:00:00:01","oui":"02-00-00","vendor":"","found":false}`; string(out) != want {
		t.Errorf("unknown vendor: got %s, want %s", out, want)
	}

	st := r.Status()
	out, _ = json.Marshal(st)
	quotedPath, _ := json.Marshal(path)
	want := `{"loaded":true,"entry_count":6,"source":` + string(quotedPath) + `,"updated":"` + mtime.Format(time.RFC3339) + `"}`
	if string(out) != want {
		t.Errorf("status\n got %s\nwant %s", out, want)
	}
}

func TestLookupInvalidMACBeforeLoadState(t *testing.T) {
	t.Parallel()
	dir, _ := copyTestdata(t)
	loaded := mustOpen(t, Config{Path: filepath.Join(dir, "oui.txt")})
	unloaded := &Registry{}
	for _, r := range []*Registry{loaded, unloaded} {
		if _, err := r.Lookup("00:1C:42"); !errors.Is(err, ErrInvalidMAC) {
			t.Errorf("err = %v, want ErrInvalidMAC", err)
		}
	}
	if _, err := unloaded.Lookup("00:1C:42:00:00:00"); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("err = %v, want ErrNotConfigured", err)
	}
}

func TestOpenConfiguredPathMustBeReadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "oui.csv")
	if err := os.WriteFile(bad, []byte("Registry,Assignment,Organization Name,Organization Address\nMA-L,nothex,X,Y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.csv"), bad} {
		if r, err := Open(Config{Path: path}); err == nil {
			t.Errorf("Open(%s) = %+v, want an error", path, r.Status())
		}
	}
}

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	r := mustOpen(t, Config{})
	st := r.Status()
	if st.Source != DefaultPath {
		t.Errorf("source = %q, want %q", st.Source, DefaultPath)
	}
	_, statErr := os.Stat(DefaultPath)
	if st.Loaded != (statErr == nil) {
		t.Errorf("loaded = %v although stat(%s) = %v", st.Loaded, DefaultPath, statErr)
	}
}

func TestDisabled(t *testing.T) {
	t.Parallel()
	r := mustOpen(t, Config{Path: Disabled})
	if _, err := r.Lookup("00:1C:42:AB:CD:EF"); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("lookup in a disabled registry: %v, want ErrNotConfigured", err)
	}
	if _, err := r.Lookup("not a mac"); !errors.Is(err, ErrInvalidMAC) {
		t.Errorf("bad MAC in a disabled registry: %v, want ErrInvalidMAC", err)
	}
	if st := r.Status(); st.Loaded || st.EntryCount != 0 || st.Updated != nil || st.Source != Disabled {
		t.Errorf("status %+v", st)
	}
	r.Watch(context.Background()) // returns at once: nothing to watch
}

// TestDebianRegistry reads the registry of Debian's ieee-data package, in
// both formats, with its MA-M, MA-S and IAB siblings.
func TestDebianRegistry(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(DefaultPath); err != nil {
		t.Skipf("Debian's registry is not installed (apt-get install ieee-data): %v", err)
	}
	csvReg := mustOpen(t, Config{Path: DefaultPath})
	tests := map[string]string{
		"00:1C:42:AB:CD:EF": "Parallels, Inc.",
		"00-00-5E-00-01-01": "ICANN, IANA Department",
		"001b.6300.0000":    "Apple, Inc.",
	}
	for mac, want := range tests {
		if got := vendorOf(t, csvReg, mac); got != want {
			t.Errorf("vendor of %s = %q, want %q", mac, got, want)
		}
	}
	st := csvReg.Status()
	if st.EntryCount < 30000 || st.Updated.IsZero() {
		t.Errorf("status %+v: want tens of thousands of entries and a date", st)
	}

	// Both published formats describe the same registry, except that the
	// text one drops quotation marks from names (UAB "Teltonika Telematics").
	txt := filepath.Join(filepath.Dir(DefaultPath), "oui.txt")
	if _, err := os.Stat(txt); err != nil {
		t.Skipf("no %s: %v", txt, err)
	}
	txtReg := mustOpen(t, Config{Path: txt})
	if a, b := csvReg.loaded.Load(), txtReg.loaded.Load(); a.entries != b.entries {
		t.Errorf("oui.csv gives %d entries, oui.txt %d", a.entries, b.entries)
	}
	var longer, differ int
	for key, vendor := range csvReg.loaded.Load().vendors {
		if key>>48 != 24 {
			longer++
		}
		if txtReg.loaded.Load().vendors[key] != strings.ReplaceAll(vendor, `"`, "") {
			differ++
		}
	}
	if longer == 0 {
		t.Error("no MA-M, MA-S or IAB entries loaded from the sibling files")
	}
	if differ > 0 {
		t.Errorf("%d entries differ between oui.csv and oui.txt", differ)
	}
}

func TestWatchFollowsFileChanges(t *testing.T) {
	t.Parallel()
	dir, _ := copyTestdata(t)
	path := filepath.Join(dir, "oui.txt")
	if err := os.Remove(filepath.Join(dir, "mam.txt")); err != nil {
		t.Fatal(err)
	}
	log := &lookuptest.Log{}
	r := mustOpen(t, Config{Path: path, ReloadInterval: 5 * time.Millisecond, Logger: log.Logger()})
	if got := vendorOf(t, r, "74:1A:E0:9A:BC:DE"); got != "IEEE Registration Authority" {
		t.Fatalf("vendor before mam.csv exists = %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Watch(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	// A sibling appearing is picked up.
	mam := "Registry,Assignment,Organization Name,Organization Address\nMA-M,741AE09,Northwind Sensors Ltd,Galway IE\n"
	replaceFile(t, filepath.Join(dir, "mam.csv"), mam)
	lookuptest.Eventually(t, "the new MA-M file is used", func() bool { return vendorOf(t, r, "74:1A:E0:9A:BC:DE") == "Northwind Sensors Ltd" })

	// A broken MA-L replacement is reported once; the old table stays.
	replaceFile(t, path, "00-1C-42   (hex)\t\tX\n001C4Z     (base 16)\t\tX\n")
	lookuptest.Eventually(t, "the broken file is logged", func() bool { return strings.Contains(log.String(), "oui registry reload") })
	if got := vendorOf(t, r, "00:1C:42:00:00:01"); got != "Parallels, Inc." {
		t.Errorf("after a broken replacement vendor = %q, want the old table's", got)
	}
	time.Sleep(20 * r.cfg.ReloadInterval)
	if n := log.Count("oui registry reload"); n != 1 {
		t.Errorf("broken file reported %d times, want once", n)
	}

	// Removing the MA-L file unloads; restoring it loads again.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	lookuptest.Eventually(t, "the registry is unloaded", func() bool { return !r.Status().Loaded })
	if _, err := r.Lookup("00:1C:42:00:00:01"); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("lookup after removal: %v, want ErrNotConfigured", err)
	}
	replaceFile(t, path, "00-1C-42   (hex)\t\tParallels International GmbH\n001C42     (base 16)\t\tParallels International GmbH\n")
	lookuptest.Eventually(t, "the restored file is loaded", func() bool { return r.Status().Loaded })
	if got := vendorOf(t, r, "00:1C:42:00:00:01"); got != "Parallels International GmbH" {
		t.Errorf("vendor = %q after restore", got)
	}
}

// replaceFile writes content beside path and renames it into place, as
// package updates do.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
