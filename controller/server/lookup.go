package server

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/lookup"
	"github.com/netwatcher/netwatcher/controller/lookup/geoip"
	"github.com/netwatcher/netwatcher/controller/lookup/oui"
	"github.com/netwatcher/netwatcher/controller/lookup/whois"
	"github.com/netwatcher/netwatcher/controller/store"
)

// newLookups opens the GeoIP databases and the OUI registry the
// configuration names, plus whatever .mmdb files are in <data-dir>/geoip.
func newLookups(cfg config.Config, log *slog.Logger, db *store.DB) (*lookup.Service, error) {
	l := cfg.Lookups
	svc, err := lookup.Open(lookup.Config{
		GeoIP:    geoip.Config{City: l.GeoIPCity, Country: l.GeoIPCountry, ASN: l.GeoIPASN, Dir: filepath.Join(cfg.DataDir, "geoip")},
		OUI:      oui.Config{Path: l.OUIPath},
		Whois:    whois.Client{RootServer: l.WhoisRootServer, Dial: l.WhoisDial, Timeout: l.WhoisTimeout},
		Resolver: l.Resolver,
		DB:       db,
		Log:      log,
	})
	if err != nil {
		return nil, fmt.Errorf("lookup data (NETWATCHER_GEOIP_CITY, NETWATCHER_GEOIP_COUNTRY, NETWATCHER_GEOIP_ASN, NETWATCHER_OUI_PATH): %w", err)
	}
	return svc, nil
}

// lookups follows lookup data files and purges the WHOIS cache for the
// server's lifetime.
type lookups struct {
	svc  *lookup.Service
	stop context.CancelFunc
	done chan struct{}
}

func startLookups(svc *lookup.Service) *lookups {
	ctx, stop := context.WithCancel(context.Background())
	l := &lookups{svc: svc, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		svc.Run(ctx)
	}()
	return l
}

// close stops the watchers, then unmaps the GeoIP databases.
func (l *lookups) close() error {
	l.stop()
	<-l.done
	return l.svc.Close()
}
