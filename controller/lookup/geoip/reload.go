package geoip

import (
	"cmp"
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"slices"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/filewatch"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/lru"
)

// Watch reloads databases whose files changed, appeared or disappeared,
// checking every Config.ReloadInterval until ctx is done. Run it in its own
// goroutine and cancel ctx before Close. A replaced file that cannot be
// opened (e.g. half written) leaves the previous version in service; updaters
// should write elsewhere and rename into place, as the files are mapped into
// memory and must not be rewritten in place.
func (l *Locator) Watch(ctx context.Context) {
	filewatch.Poll(ctx, l.cfg.ReloadInterval, func() {
		if err := l.reload(); err != nil {
			l.cfg.Logger.Warn("geoip reload", "err", err)
		}
	})
}

// candidate is a file that may hold a database; detect means its kind comes
// from its metadata (found in Config.Dir) rather than from the configuration.
type candidate struct {
	path   string
	kind   kind
	detect bool
}

func (l *Locator) candidates() []candidate {
	var out []candidate
	configured := map[string]bool{}
	for k, paths := range [][]string{kindCity: l.cfg.City, kindCountry: l.cfg.Country, kindASN: l.cfg.ASN} {
		for _, p := range paths {
			out = append(out, candidate{path: p, kind: kind(k)})
			configured[filepath.Clean(p)] = true
		}
	}
	if l.cfg.Dir == "" {
		return out
	}
	found, err := filepath.Glob(filepath.Join(l.cfg.Dir, "*.mmdb"))
	if err != nil { // only for a malformed pattern, i.e. a Dir with glob metacharacters
		l.cfg.Logger.Warn("geoip: scan database directory", "dir", l.cfg.Dir, "err", err)
	}
	for _, p := range found { // Glob returns them sorted
		if !configured[filepath.Clean(p)] {
			out = append(out, candidate{path: p, detect: true})
		}
	}
	return out
}

// reload brings the loaded databases in line with the files on disk and
// swaps them in at once. It returns the problems with configured files and
// logs those with auto-detected ones.
func (l *Locator) reload() error {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	l.mu.RLock()
	prev := l.loaded
	l.mu.RUnlock()

	files := map[string]fileState{}
	var inOrder []*database // candidate order, for newSnapshot
	var errs []error
	for _, c := range l.candidates() {
		before, seen := prev.files[c.path]
		state, err := l.refresh(c, before, seen)
		if err != nil {
			if c.detect {
				l.cfg.Logger.Warn("geoip: cannot use database file", "path", c.path, "err", err)
			} else {
				errs = append(errs, err)
			}
		}
		files[c.path] = state // missing files too, so they are reported once
		if state.db != nil {
			inOrder = append(inOrder, state.db)
		}
	}
	if sameFiles(prev.files, files) {
		return errors.Join(errs...)
	}
	next := l.newSnapshot(files, inOrder)
	l.mu.Lock()
	l.loaded = next
	l.mu.Unlock()
	for _, old := range prev.files {
		if old.db != nil && files[old.db.path].db != old.db {
			old.db.reader.Close()
		}
	}
	return errors.Join(errs...)
}

// refresh returns what should be loaded at c.path given what the last
// reload saw there (if seen): the same database while the file is unchanged,
// the previous one if its replacement cannot be opened, nothing once the
// file is gone. Only changes are reported as errors.
func (l *Locator) refresh(c candidate, prev fileState, seen bool) (fileState, error) {
	stamp, err := filewatch.Stat(c.path) // zero stamp when missing
	if seen && prev.stamp.Equal(stamp) {
		return prev, nil
	}
	if err != nil {
		return fileState{}, err
	}
	db, err := openDatabase(c.path, c.kind, c.detect)
	if err != nil {
		// Keep serving the previous version. Recording the new stamp means
		// this version is not retried (and reported) again until it changes.
		return fileState{stamp: stamp, db: prev.db}, err
	}
	if c.detect && l.configures(db.kind) {
		db.reader.Close()
		return fileState{stamp: stamp}, nil
	}
	return fileState{stamp: stamp, db: db}, nil
}

func (l *Locator) configures(k kind) bool {
	return len([][]string{kindCity: l.cfg.City, kindCountry: l.cfg.Country, kindASN: l.cfg.ASN}[k]) > 0
}

// newSnapshot orders databases by kind, keeping their candidate order within
// a kind: configured files as given, then auto-detected ones by name.
func (l *Locator) newSnapshot(files map[string]fileState, databases []*database) *snapshot {
	slices.SortStableFunc(databases, func(a, b *database) int { return cmp.Compare(a.kind, b.kind) })
	return &snapshot{files: files, databases: databases, cache: lru.New[netip.Addr, Result](l.cfg.CacheSize, nil)}
}

func sameFiles(a, b map[string]fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for path, x := range a {
		y, ok := b[path]
		if !ok || x.db != y.db || !x.stamp.Equal(y.stamp) {
			return false
		}
	}
	return true
}
