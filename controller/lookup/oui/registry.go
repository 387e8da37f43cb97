// Package oui names the vendor of a MAC address from the IEEE registry:
// the MA-L (OUI) file plus, when they sit beside it, the finer MA-M, MA-S and
// IAB files, the longest matching prefix winning. It reads the CSV and the
// text files IEEE publishes (Debian's ieee-data package ships both).
package oui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/filewatch"
)

// DefaultPath is where Debian's ieee-data package installs the registry.
const DefaultPath = "/usr/share/ieee-data/oui.csv"

// Disabled as Config.Path turns vendor lookups off: nothing is read or
// watched, and lookups of valid MACs report ErrNotConfigured.
const Disabled = "none"

var (
	// ErrInvalidMAC means the input is not a MAC address; the API answers 400.
	ErrInvalidMAC = errors.New("invalid MAC address")
	// ErrNotConfigured means no registry is loaded; the API answers 503.
	ErrNotConfigured = errors.New("OUI registry not loaded")
)

// Result is the vendor of one MAC address, shaped as the API reference shows.
type Result struct {
	MAC    string `json:"mac"`    // 00:1C:42:AB:CD:EF
	OUI    string `json:"oui"`    // 00-1C-42, the first three octets
	Vendor string `json:"vendor"` // empty when not found
	Found  bool   `json:"found"`
}

// Status describes the loaded registry for GET /lookup/oui/status.
type Status struct {
	Loaded     bool       `json:"loaded"`
	EntryCount int        `json:"entry_count"`
	Source     string     `json:"source"`  // the MA-L file read, or looked for
	Updated    *time.Time `json:"updated"` // its modification time; null while not loaded
}

// Config says where the registry is. Every field may be left zero.
type Config struct {
	// Path is the MA-L file, oui.csv or oui.txt. Empty means DefaultPath if
	// it exists; Disabled means no registry. mam, oui36 and iab files beside
	// it are read too.
	Path string
	// ReloadInterval is how often Watch checks the files (default 1 minute).
	ReloadInterval time.Duration
	// Logger receives reload problems (default slog.Default()).
	Logger *slog.Logger
}

// Registry answers vendor lookups. It is safe for concurrent use.
type Registry struct {
	cfg      Config
	loaded   atomic.Pointer[table]
	reloadMu sync.Mutex
	seen     map[string]filewatch.Stamp // file versions at the last load attempt
}

// Open reads the registry. It fails when a configured Path cannot be read;
// a missing DefaultPath just leaves the registry unloaded, and lookups then
// report ErrNotConfigured. Call Watch to follow file changes.
func Open(cfg Config) (*Registry, error) {
	r := &Registry{cfg: cfg}
	explicit := cfg.Path != ""
	if !explicit {
		r.cfg.Path = DefaultPath
	}
	if r.cfg.ReloadInterval <= 0 {
		r.cfg.ReloadInterval = time.Minute
	}
	if r.cfg.Logger == nil {
		r.cfg.Logger = slog.Default()
	}
	if r.cfg.Path == Disabled {
		return r, nil
	}
	err := r.reload()
	if err != nil && (explicit || !errors.Is(err, fs.ErrNotExist)) {
		return nil, err
	}
	return r, nil
}

// Lookup returns the vendor of mac, given in any accepted spelling.
func (r *Registry) Lookup(macText string) (Result, error) {
	m, err := parseMAC(macText)
	if err != nil {
		return Result{}, err
	}
	t := r.loaded.Load()
	if t == nil {
		return Result{}, ErrNotConfigured
	}
	vendor, found := t.vendor(m)
	return Result{MAC: m.String(), OUI: m.oui(), Vendor: vendor, Found: found}, nil
}

// Status reports what is loaded.
func (r *Registry) Status() Status {
	st := Status{Source: r.cfg.Path}
	if t := r.loaded.Load(); t != nil {
		updated := t.updated // a copy: the table is shared and never changes
		st.Loaded, st.EntryCount, st.Updated = true, t.entries, &updated
	}
	return st
}

// Watch reloads the registry when one of its files changes, appears or
// disappears, checking every Config.ReloadInterval until ctx is done. Run it
// in its own goroutine. A replacement that cannot be read is logged and the
// previous registry stays in service. A Disabled registry returns at once.
func (r *Registry) Watch(ctx context.Context) {
	if r.cfg.Path == Disabled {
		return
	}
	filewatch.Poll(ctx, r.cfg.ReloadInterval, func() {
		if err := r.reload(); err != nil {
			r.cfg.Logger.Warn("oui registry reload", "path", r.cfg.Path, "err", err)
		}
	})
}

// reload reads the files again if any changed since the last attempt. A
// missing MA-L file unloads the registry; a broken one keeps the old table.
func (r *Registry) reload() error {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()
	siblings := siblingFiles(r.cfg.Path)
	stamps := map[string]filewatch.Stamp{}
	for _, f := range append([]string{r.cfg.Path}, slices.Concat(siblings...)...) {
		stamps[f], _ = filewatch.Stat(f) // zero stamp: absent
	}
	if r.seen != nil && sameStamps(r.seen, stamps) {
		return nil
	}
	r.seen = stamps
	t, err := loadTable(r.cfg.Path, siblings, stamps)
	switch {
	case err == nil:
		r.loaded.Store(t)
	case errors.Is(err, fs.ErrNotExist):
		r.loaded.Store(nil)
	}
	return err
}

// siblingFiles lists, for each finer registry (MA-M, MA-S, IAB), where it
// may sit beside the MA-L file: its own extension first, then the other.
func siblingFiles(path string) [][]string {
	dir, ext := filepath.Dir(path), filepath.Ext(path)
	exts := []string{ext}
	if other, ok := map[string]string{".csv": ".txt", ".txt": ".csv"}[ext]; ok {
		exts = append(exts, other)
	}
	var siblings [][]string
	for _, base := range []string{"mam", "oui36", "iab"} {
		var places []string
		for _, e := range exts {
			places = append(places, filepath.Join(dir, base+e))
		}
		siblings = append(siblings, places)
	}
	return siblings
}

func sameStamps(a, b map[string]filewatch.Stamp) bool {
	if len(a) != len(b) {
		return false
	}
	for path, s := range a {
		if !s.Equal(b[path]) {
			return false
		}
	}
	return true
}

// table is one loaded registry, never modified after loading.
type table struct {
	vendors map[uint64]string // by prefixKey
	entries int
	updated time.Time
}

// prefixLengths are the assignment sizes, longest first: a MAC inside an
// MA-M or MA-S block also lies in an MA-L block IEEE registered to itself.
var prefixLengths = [...]int{36, 28, 24}

// prefixKey packs a prefix and its length into one map key; prefixes are at
// most 36 bits, so the length fits above them.
func prefixKey(bits int, prefix uint64) uint64 {
	return uint64(bits)<<48 | prefix
}

func (t *table) vendor(m mac) (string, bool) {
	for _, bits := range prefixLengths {
		if v, ok := t.vendors[prefixKey(bits, uint64(m)>>(48-bits))]; ok {
			return v, true
		}
	}
	return "", false
}

// loadTable reads the MA-L file (required) and the first present place of
// each sibling.
func loadTable(path string, siblings [][]string, stamps map[string]filewatch.Stamp) (*table, error) {
	files := []string{path}
	for _, places := range siblings {
		if i := slices.IndexFunc(places, func(p string) bool { return !stamps[p].Equal(filewatch.Stamp{}) }); i >= 0 {
			files = append(files, places[i])
		}
	}
	t := &table{vendors: map[uint64]string{}, updated: stamps[path].ModTime().UTC().Truncate(time.Second)}
	for _, f := range files {
		list, err := readRegistryFile(f)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			t.vendors[prefixKey(a.bits, a.prefix)] = a.vendor
		}
	}
	t.entries = len(t.vendors)
	return t, nil
}

func readRegistryFile(path string) ([]assignment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read OUI registry: %w", err)
	}
	defer f.Close()
	list, err := parseRegistry(f)
	if err != nil {
		return nil, fmt.Errorf("read OUI registry %s: %w", path, err)
	}
	return list, nil
}
