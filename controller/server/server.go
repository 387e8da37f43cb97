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
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/api"
	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/users"
)

// Server is an assembled controller.
type Server struct {
	cfg      config.Config
	log      *slog.Logger
	db       *store.DB
	sessions *auth.Sessions
	handler  http.Handler
}

// New opens the database, migrates it and builds the HTTP handler.
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
	sessions := auth.NewSessions(db, auth.NewTokens(key, cfg.JWTTTL))
	agentSvc := agents.NewService(db, auth.NewPINs(key), agents.Config{
		MaxPerWorkspace: cfg.MaxAgentsPerWorkspace, AuthRateLimit: cfg.AuthRateLimit})
	handler := api.New(api.Deps{
		DB: db, Sessions: sessions, Log: log,
		Agents: agentSvc, Probes: probes.NewService(db, cfg.MaxProbesPerAgent),
		AllowedOrigins: cfg.AllowedOrigins, TrustedProxies: cfg.TrustedProxies,
		AuthRateLimit: cfg.AuthRateLimit,
	})
	return &Server{cfg: cfg, log: log, db: db, sessions: sessions, handler: handler}, nil
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

// Close releases the database.
func (s *Server) Close() error { return s.db.Close() }

// shutdownGrace bounds how long in-flight requests may take after a signal.
const shutdownGrace = 20 * time.Second

// Serve answers HTTP on ln until ctx is cancelled, then stops accepting,
// lets in-flight requests finish (up to shutdownGrace) and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	bg, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	go s.purgeSessions(bg)

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
	s.log.Info("stopped")
	return nil
}

// purgeSessions deletes expired sessions hourly.
func (s *Server) purgeSessions(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			for {
				n, err := s.sessions.PurgeExpired(ctx, time.Now())
				if err != nil {
					s.log.Warn("purge expired sessions", "err", err)
				}
				if err != nil || n == 0 {
					break
				}
			}
		}
	}
}
