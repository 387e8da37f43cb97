// Package lookup is the controller's IP and MAC intelligence: it combines
// the GeoIP databases, the IEEE OUI registry, WHOIS and reverse DNS into the
// answers the API serves (single, bulk, combined and per-IP lookups), maps
// their failures to client-facing errors, and keeps WHOIS answers in the
// metadata store.
package lookup

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/geoip"
	"github.com/netwatcher/netwatcher/controller/lookup/oui"
	"github.com/netwatcher/netwatcher/controller/lookup/whois"
	"github.com/netwatcher/netwatcher/controller/periodic"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Config says where the lookup data is.
type Config struct {
	GeoIP geoip.Config
	OUI   oui.Config
	// Whois sets the WHOIS client's root server, dial function and timeout;
	// its Cache is the metadata store.
	Whois whois.Client
	// Resolver answers reverse DNS and host names; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// DB holds the WHOIS cache.
	DB  *store.DB
	Log *slog.Logger
}

// Service answers lookups. It is safe for concurrent use.
type Service struct {
	geo      *geoip.Locator
	oui      *oui.Registry
	whois    *whois.Client
	cache    *WhoisCache
	resolver *net.Resolver
	rdns     *reverseDNS
	log      *slog.Logger
}

// Open loads the GeoIP databases and the OUI registry. It fails when a
// configured file cannot be read; data that is simply absent leaves that
// kind of lookup answering 503. Call Run to follow file changes and purge
// the cache, and Close when done.
func Open(cfg Config) (*Service, error) {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	resolver := cfg.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	cfg.GeoIP.Logger, cfg.OUI.Logger = log, log
	geo, err := geoip.Open(cfg.GeoIP)
	if err != nil {
		return nil, err
	}
	registry, err := oui.Open(cfg.OUI)
	if err != nil {
		geo.Close()
		return nil, err
	}
	cache := &WhoisCache{DB: cfg.DB, Log: log}
	client := cfg.Whois
	client.Cache = cache
	return &Service{
		geo: geo, oui: registry, whois: &client, cache: cache,
		resolver: resolver, rdns: newReverseDNS(resolver), log: log,
	}, nil
}

// cachePurgeInterval is how often expired and surplus WHOIS answers are
// deleted; expired ones are never served in between.
const cachePurgeInterval = 10 * time.Minute

// Run reloads changed GeoIP and OUI files and purges the WHOIS cache until
// ctx is done; it returns once all of that has stopped.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.geo.Watch(ctx) })
	wg.Go(func() { s.oui.Watch(ctx) })
	wg.Go(func() {
		periodic.Every(ctx, cachePurgeInterval, func() {
			if _, err := s.cache.Purge(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("purge WHOIS cache", "err", err)
			}
		})
	})
	wg.Wait()
}

// Close unmaps the GeoIP databases. Stop Run first.
func (s *Service) Close() error {
	if err := s.geo.Close(); err != nil {
		return fmt.Errorf("close GeoIP databases: %w", err)
	}
	return nil
}
