// Package server assembles the controller from its configuration: it opens
// the stores, runs migrations, builds the API and serves it until stopped.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/agentsock"
	"github.com/netwatcher/netwatcher/controller/api"
	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/clientip"
	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/periodic"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/speedtest"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/users"
)

// Server is an assembled, running controller (minus its HTTP listener).
type Server struct {
	cfg      config.Config
	log      *slog.Logger
	db       *store.DB
	sessions *auth.Sessions
	agents   *agents.Service
	ingest   *ingest
	hub      *agentsock.Hub
	panel    *panel
	alerting *alerting
	lookups  *lookups
	handler  http.Handler

	stopBackground context.CancelFunc
	background     sync.WaitGroup
	closeOnce      sync.Once
	closeErr       error
}

// New opens the databases, migrates them, builds the API and starts the
// background work (ingest writer, alerting, retention, expiries).
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s, err := assemble(ctx, cfg, log, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func assemble(ctx context.Context, cfg config.Config, log *slog.Logger, db *store.DB) (*Server, error) {
	n, err := db.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	log.Info("metadata database ready", "location", db.Location, "migrations_applied", n)
	key, err := auth.SigningKey(cfg.JWTSecret, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	if err := ensureAdmin(ctx, db, cfg, log); err != nil {
		return nil, err
	}
	lookupSvc, err := newLookups(cfg, log, db)
	if err != nil {
		return nil, err
	}
	in, err := openIngest(ctx, cfg, db, log)
	if err != nil {
		lookupSvc.Close()
		return nil, err
	}
	ips := clientip.Resolver{Trusted: cfg.TrustedProxies}
	sessions := auth.NewSessions(db, auth.NewTokens(key, cfg.JWTTTL))
	agentSvc := agents.NewService(db, auth.NewPINs(key), agents.Config{
		MaxPerWorkspace: cfg.MaxAgentsPerWorkspace, AuthRateLimit: cfg.AuthRateLimit})
	queue := speedtest.NewQueue(db)
	pnl := newPanel(cfg, log, db, sessions, in.store)
	hub := agentsock.New(agentsock.Config{DB: db, Agents: agentSvc, Pipeline: in.pipeline, Data: in.store,
		Speedtest: queue, Log: log, ClientIP: ips.String, OnPresence: pnl.agentPresence,
		IngestTimeout: cfg.AgentTuning.Wait, PingInterval: cfg.AgentTuning.Ping})
	alertSvc := newAlerting(cfg, log, db, pnl.broker)

	// Committed results flow to: agent addresses, panels, alert evaluation.
	in.pipeline.OnCommit(hub.OnCommit)
	pnl.attach(in.pipeline, queue, hub)
	in.pipeline.OnCommit(alertSvc.OnCommit)

	handler := api.New(api.Deps{
		DB: db, Sessions: sessions, Log: log,
		Agents: agentSvc, Probes: probes.NewService(db, cfg.MaxProbesPerAgent),
		Data: in.store, Speedtest: queue, AgentSocket: hub, Events: hub,
		PanelSocket: pnl.socket, NetworkMap: pnl.maps, WorkspaceEvents: pnl,
		Alerts:  alertSvc,
		Lookups: lookupSvc, LookupRateLimit: cfg.Lookups.RateLimit,
		AllowedOrigins: cfg.AllowedOrigins, TrustedProxies: cfg.TrustedProxies,
		AuthRateLimit: cfg.AuthRateLimit,
	})
	s := &Server{cfg: cfg, log: log, db: db, sessions: sessions, agents: agentSvc, ingest: in, hub: hub, panel: pnl,
		handler: handler}
	s.alerting = startAlerting(alertSvc)
	s.lookups = startLookups(lookupSvc)
	pnl.start()
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopBackground = stop
	s.run(func() { in.pipeline.Run(bg) })
	s.run(func() { hub.Run(bg) })
	s.run(func() { agentSvc.RunTouches(bg) })
	s.run(func() { in.enforceRetention(bg, cfg.Retention, log) })
	s.run(func() { periodic.Every(bg, time.Hour, func() { s.purgeSessions(bg) }) })
	s.run(func() {
		periodic.Every(bg, time.Minute, func() {
			if err := queue.Expire(bg); err != nil {
				log.Warn("expire speed tests", "err", err)
			}
		})
	})
	return s, nil
}

// run starts fn as background work that Close waits for.
func (s *Server) run(fn func()) {
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		fn()
	}()
}

// ensureAdmin creates the NETWATCHER_ADMIN_EMAIL user on first start.
func ensureAdmin(ctx context.Context, db *store.DB, cfg config.Config, log *slog.Logger) error {
	if cfg.AdminEmail == "" {
		return nil
	}
	u, err := users.Create(ctx, db, users.NewUser{Email: cfg.AdminEmail, Password: cfg.AdminPassword, Name: "Administrator"})
	switch {
	case apperr.Is(err, apperr.Conflict):
		return nil
	case err != nil:
		return fmt.Errorf("create NETWATCHER_ADMIN_EMAIL user: %w", err)
	}
	log.Info("created admin user", "email", u.Email, "id", u.ID)
	return nil
}

// Handler is the controller's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// shutdownGrace bounds each shutdown step.
const shutdownGrace = 20 * time.Second

// Close stops in dependency order: agents are disconnected, the ingest
// queue is drained into the store (nothing accepted is dropped), alerting
// evaluates the last batches and finishes webhook attempts in flight,
// panels are closed, then the databases.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		var errs []error
		s.hub.Close(ctx)
		if err := s.ingest.pipeline.Close(ctx); err != nil {
			s.log.Error("ingest queue not fully drained", "err", err)
			errs = append(errs, err)
		}
		s.stopBackground()
		s.background.Wait()
		if err := s.alerting.close(ctx); err != nil {
			s.log.Warn("alerting did not drain", "err", err)
		}
		s.panel.close(ctx)
		if err := s.lookups.close(); err != nil {
			s.log.Warn("stop lookups", "err", err)
		}
		s.closeErr = errors.Join(append(errs, s.ingest.store.Close(), s.db.Close())...)
	})
	return s.closeErr
}

// Serve answers HTTP on ln until ctx is cancelled, then stops accepting and
// lets in-flight requests finish (up to shutdownGrace). The caller then
// calls Close, which also ends the WebSockets (Shutdown ignores them).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("netwatcher controller listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped accepting requests")
	return nil
}

// purgeSessions deletes expired sessions in bounded batches.
func (s *Server) purgeSessions(ctx context.Context) {
	for {
		n, err := s.sessions.PurgeExpired(ctx, time.Now())
		if err != nil {
			s.log.Warn("purge expired sessions", "err", err)
		}
		if err != nil || n == 0 {
			return
		}
	}
}
