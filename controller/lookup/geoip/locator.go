// Package geoip resolves IP addresses to city, country, coordinates and
// autonomous system from MaxMind-format .mmdb databases: MaxMind GeoIP2 and
// GeoLite2, DB-IP, and the flat files of the free ip-location-db project.
// Databases are memory-mapped, reloaded when their files change, and recent
// results are kept in a bounded cache.
package geoip

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/ipaddr"
	"github.com/netwatcher/netwatcher/controller/lookup/internal/lru"
)

var (
	// ErrNotConfigured means no database is loaded; the API answers 503.
	ErrNotConfigured = errors.New("GeoIP not configured")
	// ErrInvalidIP means the input is not an IP address; the API answers 400
	// whether or not databases are configured.
	ErrInvalidIP = errors.New("invalid IP address")
)

// Config says where the databases are. Every field may be left zero.
type Config struct {
	// City, Country and ASN list database files of each kind. A kind may have
	// several files, e.g. ip-location-db's separate IPv4 and IPv6 databases;
	// they are consulted in order. A kind given here is not auto-detected.
	City, Country, ASN []string
	// Dir is scanned for *.mmdb files (e.g. <data dir>/geoip); each is used
	// for the kind its metadata names, unless that kind is listed above.
	Dir string
	// CacheSize bounds the number of cached results (default 10000).
	CacheSize int
	// ReloadInterval is how often Watch checks the files (default 1 minute).
	ReloadInterval time.Duration
	// Logger receives problems with auto-detected or reloaded files (default
	// slog.Default()).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.CacheSize <= 0 {
		c.CacheSize = 10000
	}
	if c.ReloadInterval <= 0 {
		c.ReloadInterval = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Locator answers GeoIP lookups from the loaded databases. It is safe for
// concurrent use.
type Locator struct {
	cfg      Config
	reloadMu sync.Mutex // one reload at a time
	// mu is held for reading during each lookup and for writing only to swap
	// snapshots, so a reload never closes a database a lookup is reading.
	mu     sync.RWMutex
	loaded *snapshot
}

// snapshot is one consistent set of open databases with its own cache, so a
// reload drops every result computed from the replaced files at once.
type snapshot struct {
	files     map[string]fileState // by path, every candidate file seen
	databases []*database          // usable ones: city, then country, then ASN
	cache     *lru.Cache[netip.Addr, Result]
}

// Open loads the configured databases and those found in cfg.Dir. It fails
// when a file named in cfg.City, cfg.Country or cfg.ASN cannot be opened, as
// that is a configuration mistake; unusable files in cfg.Dir are logged and
// skipped. With nothing configured it returns a Locator whose lookups report
// ErrNotConfigured. Call Watch to follow file changes and Close when done.
func Open(cfg Config) (*Locator, error) {
	l := &Locator{cfg: cfg.withDefaults()}
	l.loaded = l.newSnapshot(nil, nil)
	if err := l.reload(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Lookup resolves one IP address. Addresses no database knows give a Result
// holding only the IP.
func (l *Locator) Lookup(ip string) (Result, error) {
	addr, err := ipaddr.Parse(ip)
	if err != nil {
		return Result{}, ErrInvalidIP
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	s := l.loaded
	if len(s.databases) == 0 {
		return Result{}, ErrNotConfigured
	}
	if res, ok := s.cache.Get(addr); ok {
		return res, nil
	}
	res, err := s.lookup(addr)
	if err != nil {
		return Result{}, err
	}
	s.cache.Put(addr, res, 0)
	return res, nil
}

func (s *snapshot) lookup(addr netip.Addr) (Result, error) {
	res := Result{IP: addr.String()}
	for _, db := range s.databases {
		if (db.ipv4Only && !addr.Is4()) || db.kind.answered(&res) {
			continue
		}
		var rec record
		if err := db.reader.Lookup(addr).Decode(&rec); err != nil {
			return Result{}, fmt.Errorf("geoip lookup %s in %s: %w", addr, db.path, err)
		}
		rec.fill(&res)
	}
	return res, nil
}

// Status reports which kinds of database are loaded.
func (l *Locator) Status() Status {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var st Status
	for _, db := range l.loaded.databases {
		switch db.kind {
		case kindCity:
			st.City = true
		case kindCountry:
			st.Country = true
		case kindASN:
			st.ASN = true
		}
	}
	return st
}

// Close unmaps every database; later lookups report ErrNotConfigured.
func (l *Locator) Close() error {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	l.mu.Lock()
	old := l.loaded
	l.loaded = l.newSnapshot(nil, nil)
	l.mu.Unlock()
	var errs []error
	for _, db := range old.databases {
		errs = append(errs, db.reader.Close())
	}
	return errors.Join(errs...)
}
