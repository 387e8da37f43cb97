package agents

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/ratelimit"
	"github.com/netwatcher/netwatcher/controller/store"
)

// PIN rules (CONTRACT §4).
const (
	DefaultPINLength = 9
	MinPINLength     = 6
	MaxPINLength     = 32
	DefaultPINTTL    = time.Hour
	MinPINTTL        = time.Minute
	MaxPINTTL        = 30 * 24 * time.Hour
)

// touchEvery is how often batched last_seen_at updates are written;
// writeNowAfter is the quiet spell after which a contact is written at once.
const (
	touchEvery    = 5 * time.Second
	writeNowAfter = time.Minute
)

// Service owns agent lifecycle and credentials.
type Service struct {
	db              *store.DB
	pins            *auth.PINs
	maxPerWorkspace int

	failuresByIP    *ratelimit.Limiter
	failuresByAgent *ratelimit.Limiter

	touchMu sync.Mutex
	touched map[int64]struct{}  // agents seen since the last flush
	written map[int64]time.Time // when each agent's last_seen_at was last written
}

// Config configures a Service.
type Config struct {
	// MaxPerWorkspace is the agent quota per workspace; 0 = unlimited.
	MaxPerWorkspace int
	// AuthRateLimit is failed PIN/PSK attempts per minute per IP and per
	// agent; 0 disables limiting.
	AuthRateLimit int
}

// NewService returns the agent service.
func NewService(db *store.DB, pins *auth.PINs, cfg Config) *Service {
	return &Service{
		db: db, pins: pins, maxPerWorkspace: cfg.MaxPerWorkspace,
		failuresByIP:    ratelimit.New(cfg.AuthRateLimit),
		failuresByAgent: ratelimit.New(cfg.AuthRateLimit),
		touched:         map[int64]struct{}{},
		written:         map[int64]time.Time{},
	}
}

// PINOptions choose a PIN's length (digits) and lifetime (seconds, as the
// API takes it); zero values mean defaults.
type PINOptions struct {
	Length     int
	TTLSeconds int
}

// Resolve fills defaults and checks the bounds. The lifetime is checked in
// seconds, before any conversion, so no value can overflow into range.
func (o PINOptions) Resolve() (PINOptions, error) {
	if o.Length == 0 {
		o.Length = DefaultPINLength
	}
	if o.TTLSeconds == 0 {
		o.TTLSeconds = int(DefaultPINTTL / time.Second)
	}
	if o.Length < MinPINLength || o.Length > MaxPINLength {
		return o, apperr.Invalidf("pinLength must be %d-%d digits", MinPINLength, MaxPINLength)
	}
	if o.TTLSeconds < int(MinPINTTL/time.Second) || o.TTLSeconds > int(MaxPINTTL/time.Second) {
		return o, apperr.Invalidf("PIN TTL (pinTTLSeconds, ttlSeconds) must be %d-%d seconds", int(MinPINTTL.Seconds()), int(MaxPINTTL.Seconds()))
	}
	return o, nil
}

func (o PINOptions) ttl() time.Duration { return time.Duration(o.TTLSeconds) * time.Second }

// Create registers an agent and issues its first PIN.
func (s *Service) Create(ctx context.Context, workspaceID int64, f Fields, opts PINOptions) (Agent, string, error) {
	if f.Name == nil {
		return Agent{}, "", apperr.Invalidf("name is required and must be 1-%d characters", maxNameLen)
	}
	opts, err := opts.Resolve()
	if err != nil {
		return Agent{}, "", err
	}
	now := store.Now()
	a := Agent{WorkspaceID: workspaceID, TrafficSimPort: DefaultTrafficSimPort,
		Labels: store.RawObject(""), Metadata: store.RawObject(""), CreatedAt: now, UpdatedAt: now}
	if err := f.apply(&a); err != nil {
		return Agent{}, "", err
	}
	var pin string
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if s.maxPerWorkspace > 0 {
			// Racing creates take turns, so none sees a stale count.
			if err := tx.Lock(ctx, "workspaces", workspaceID); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM agents WHERE workspace_id = ? AND deleted_at IS NULL`, workspaceID).Scan(&n); err != nil {
				return fmt.Errorf("count agents: %w", err)
			}
			if n >= s.maxPerWorkspace {
				return apperr.QuotaReached("agents per workspace", s.maxPerWorkspace)
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO agents (workspace_id, name, description, location, public_ip_override, version,
			trafficsim_enabled, trafficsim_port, labels, metadata, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, a.Name, a.Description, a.Location, a.PublicIPOverride, a.Version, a.TrafficSimEnabled, a.TrafficSimPort,
			string(a.Labels), string(a.Metadata), store.Millis(now), store.Millis(now)).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("insert agent: %w", err)
		}
		pin, err = s.setPIN(ctx, tx, a.ID, opts)
		return err
	})
	if err != nil {
		return Agent{}, "", err
	}
	return a, pin, nil
}

// setPIN stores a fresh PIN for the agent, replacing any unused one.
func (s *Service) setPIN(ctx context.Context, conn store.Conn, agentID int64, opts PINOptions) (string, error) {
	pin, err := s.pins.Generate(opts.Length)
	if err != nil {
		return "", err
	}
	expires := time.Now().Add(opts.ttl())
	if _, err := conn.Exec(ctx, `UPDATE agents SET pin_hash = ?, pin_expires_at = ? WHERE id = ?`,
		s.pins.Hash(agentID, pin), store.Millis(expires), agentID); err != nil {
		return "", fmt.Errorf("store PIN: %w", err)
	}
	return pin, nil
}

// Update applies operator edits.
func (s *Service) Update(ctx context.Context, workspaceID, agentID int64, f Fields) (Agent, error) {
	a, err := Get(ctx, s.db, workspaceID, agentID)
	if err != nil {
		return Agent{}, err
	}
	if err := f.apply(&a); err != nil {
		return Agent{}, err
	}
	a.UpdatedAt = store.Now()
	return a, update(ctx, s.db, a)
}

// IssuePIN replaces the agent's bootstrap PIN.
func (s *Service) IssuePIN(ctx context.Context, workspaceID, agentID int64, opts PINOptions) (string, error) {
	opts, err := opts.Resolve()
	if err != nil {
		return "", err
	}
	if _, err := Get(ctx, s.db, workspaceID, agentID); err != nil {
		return "", err
	}
	return s.setPIN(ctx, s.db, agentID, opts)
}

// Regenerate revokes the agent's PSK, marks it uninitialised and issues a
// new PIN (zero options: the defaults).
func (s *Service) Regenerate(ctx context.Context, workspaceID, agentID int64, opts PINOptions) (Agent, string, error) {
	opts, err := opts.Resolve()
	if err != nil {
		return Agent{}, "", err
	}
	var a Agent
	var pin string
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if a, err = Get(ctx, tx, workspaceID, agentID); err != nil {
			return err
		}
		a.Initialized, a.UpdatedAt = false, store.Now()
		if _, err := tx.Exec(ctx, `UPDATE agents SET psk_hash = NULL, initialized = ?, updated_at = ? WHERE id = ?`,
			false, store.Millis(a.UpdatedAt), agentID); err != nil {
			return fmt.Errorf("revoke PSK: %w", err)
		}
		pin, err = s.setPIN(ctx, tx, agentID, opts)
		return err
	})
	return a, pin, err
}

// Delete soft-deletes the agent and its probes; its credentials then
// answer "deleted" until the agent is purged.
func (s *Service) Delete(ctx context.Context, workspaceID, agentID int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := Get(ctx, tx, workspaceID, agentID); err != nil {
			return err
		}
		now := store.Millis(time.Now())
		if _, err := tx.Exec(ctx, `UPDATE agents SET deleted_at = ?, pin_hash = NULL, updated_at = ? WHERE id = ?`, now, now, agentID); err != nil {
			return fmt.Errorf("delete agent %d: %w", agentID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE probes SET deleted_at = ?, updated_at = ? WHERE agent_id = ? AND deleted_at IS NULL`, now, now, agentID); err != nil {
			return fmt.Errorf("delete probes of agent %d: %w", agentID, err)
		}
		return nil
	})
}

// RetireWorkspace soft-deletes every live agent of a workspace that is
// being deleted, with their probes, in the caller's transaction: its agents
// then answer "deleted" like individually deleted ones.
func RetireWorkspace(ctx context.Context, tx *store.Tx, workspaceID int64) error {
	now := store.Millis(time.Now())
	if _, err := tx.Exec(ctx, `UPDATE agents SET deleted_at = ?, pin_hash = NULL, updated_at = ? WHERE workspace_id = ? AND deleted_at IS NULL`,
		now, now, workspaceID); err != nil {
		return fmt.Errorf("delete agents of workspace %d: %w", workspaceID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE probes SET deleted_at = ?, updated_at = ? WHERE workspace_id = ? AND deleted_at IS NULL`,
		now, now, workspaceID); err != nil {
		return fmt.Errorf("delete probes of workspace %d: %w", workspaceID, err)
	}
	return nil
}

// Heartbeat marks the agent seen now.
func (s *Service) Heartbeat(ctx context.Context, workspaceID, agentID int64) (time.Time, error) {
	if _, err := Get(ctx, s.db, workspaceID, agentID); err != nil {
		return time.Time{}, err
	}
	now := store.Now()
	if _, err := s.db.Exec(ctx, `UPDATE agents SET last_seen_at = ? WHERE id = ?`, store.Millis(now), agentID); err != nil {
		return time.Time{}, fmt.Errorf("heartbeat: %w", err)
	}
	return now, nil
}

// Touch records agent traffic in last_seen_at. The first contact after a
// quiet spell (a login, a reconnect) is written at once, so the agent shows
// online immediately; later traffic is collected in memory and written in
// one UPDATE per touchEvery by RunTouches, so thousands of chatty agents do
// not turn every message into a write.
func (s *Service) Touch(ctx context.Context, agentID int64) error {
	now := time.Now()
	s.touchMu.Lock()
	if now.Sub(s.written[agentID]) < writeNowAfter {
		s.touched[agentID] = struct{}{}
		s.touchMu.Unlock()
		return nil
	}
	s.written[agentID] = now
	s.touchMu.Unlock()
	if _, err := s.db.Exec(ctx, `UPDATE agents SET last_seen_at = ? WHERE id = ?`, store.Millis(now), agentID); err != nil {
		return fmt.Errorf("record agent %d seen: %w", agentID, err)
	}
	return nil
}

// RunTouches flushes recorded traffic into last_seen_at until ctx ends
// (then once more).
func (s *Service) RunTouches(ctx context.Context) {
	tick := time.NewTicker(touchEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = s.FlushTouches(context.WithoutCancel(ctx))
			return
		case <-tick.C:
			_ = s.FlushTouches(ctx)
		}
	}
}

// FlushTouches writes the agents seen since the last flush.
func (s *Service) FlushTouches(ctx context.Context) error {
	s.touchMu.Lock()
	if len(s.touched) == 0 {
		s.touchMu.Unlock()
		return nil
	}
	ids := make([]any, 0, len(s.touched))
	for id := range s.touched {
		ids = append(ids, id)
	}
	s.touched = map[int64]struct{}{}
	written := time.Now()
	for _, id := range ids {
		s.written[id.(int64)] = written
	}
	s.touchMu.Unlock()
	now := store.Millis(written)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := append([]any{now}, chunk...)
		if _, err := s.db.Exec(ctx, `UPDATE agents SET last_seen_at = ? WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`, args...); err != nil {
			return fmt.Errorf("record agents seen: %w", err)
		}
	}
	return nil
}

// SetVersion records the version an agent reports.
func (s *Service) SetVersion(ctx context.Context, agentID int64, version string) error {
	if len(version) > 64 {
		version = version[:64]
	}
	_, err := s.db.Exec(ctx, `UPDATE agents SET version = ?, updated_at = ? WHERE id = ? AND version <> ?`,
		version, store.Millis(time.Now()), agentID, version)
	if err != nil {
		return fmt.Errorf("record agent %d version: %w", agentID, err)
	}
	return nil
}
