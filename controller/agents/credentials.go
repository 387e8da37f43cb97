package agents

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/ratelimit"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Credential failures. Their messages are the error codes of PROTOCOL.md §1,
// which deployed agents match on.
var (
	ErrInvalidPSK = &apperr.Error{Kind: apperr.Unauthorized, Msg: "invalid_psk"}
	ErrPINFailed  = &apperr.Error{Kind: apperr.Unauthorized, Msg: "pin_verification_failed"}
	ErrDeleted    = &apperr.Error{Kind: apperr.Gone, Msg: "agent_deleted"}
)

// rateLimited is the answer to an address or agent with too many failures.
func rateLimited(wait time.Duration) error {
	return &apperr.Error{Kind: apperr.TooMany, Msg: "rate_limited", RetryAfterSeconds: ratelimit.RetryAfterSeconds(wait)}
}

// Credentials identify an agent on login and on every agent request.
type Credentials struct {
	WorkspaceID int64
	AgentID     int64
	PSK         string
	PIN         string
	ClientIP    string
}

func (c Credentials) agentKey() string {
	return strconv.FormatInt(c.WorkspaceID, 10) + "/" + strconv.FormatInt(c.AgentID, 10)
}

// secretRow is what credential checks read of an agent.
type secretRow struct {
	pskHash, pinHash sql.NullString
	pinExpires       sql.NullInt64
	deleted          bool
}

func (s *Service) loadSecrets(ctx context.Context, c Credentials) (secretRow, bool, error) {
	var r secretRow
	var agentDeleted, wsDeleted sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT a.psk_hash, a.pin_hash, a.pin_expires_at, a.deleted_at, w.deleted_at
		FROM agents a JOIN workspaces w ON w.id = a.workspace_id WHERE a.id = ? AND a.workspace_id = ?`,
		c.AgentID, c.WorkspaceID).Scan(&r.pskHash, &r.pinHash, &r.pinExpires, &agentDeleted, &wsDeleted)
	if store.IsNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, apperr.Unavailablef(err, "server_error")
	}
	r.deleted = agentDeleted.Valid || wsDeleted.Valid
	return r, true, nil
}

// failed counts a failed attempt against the client's address and the
// agent. Like user logins, an address or agent gets its limit of failures
// answered as such; an attempt made while it is already over the limit is
// answered rate_limited (and still counted, so persistent guessing stays
// blocked for longer).
func (s *Service) failed(c Credentials) error {
	ipWait, ipBlocked := s.failuresByIP.Blocked(c.ClientIP)
	agentWait, agentBlocked := s.failuresByAgent.Blocked(c.agentKey())
	s.failuresByIP.Hit(c.ClientIP)
	s.failuresByAgent.Hit(c.agentKey())
	switch {
	case ipBlocked:
		return rateLimited(ipWait)
	case agentBlocked:
		return rateLimited(agentWait)
	}
	return nil
}

// AuthenticatePSK checks an agent's pre-shared key. A valid PSK is always
// accepted, whatever failures others caused (256 random bits cannot be
// guessed); failures are counted, and answered 429 once over the limit.
// A PSK of a deleted agent (or of an agent in a deleted workspace) is
// ErrDeleted, so the agent learns it was removed.
func (s *Service) AuthenticatePSK(ctx context.Context, c Credentials) (Agent, error) {
	row, found, err := s.loadSecrets(ctx, c)
	if err != nil {
		return Agent{}, err
	}
	if !found || !row.pskHash.Valid || !auth.EqualHash(row.pskHash.String, auth.HashPSK(c.PSK)) {
		if err := s.failed(c); err != nil {
			return Agent{}, err
		}
		return Agent{}, ErrInvalidPSK
	}
	if row.deleted {
		return Agent{}, ErrDeleted
	}
	a, err := Get(ctx, s.db, c.WorkspaceID, c.AgentID)
	if err != nil {
		return Agent{}, apperr.Unavailablef(err, "server_error")
	}
	if err := s.Touch(ctx, a.ID); err != nil {
		return Agent{}, apperr.Unavailablef(err, "server_error")
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	a.LastSeenAt, a.Online = &now, true
	return a, nil
}

// BootstrapPIN exchanges a valid one-time PIN for a new PSK, marking the
// agent initialised; an existing PSK is replaced at once.
//
// PINs are short, so attempts from an address over its failure limit are
// refused before any check. Failures also count per agent; when an agent
// reaches its limit its outstanding PIN is burned, so spreading guesses
// over many addresses gains nothing, while the holder of a valid PIN is
// never refused because of someone else's failures.
func (s *Service) BootstrapPIN(ctx context.Context, c Credentials) (Agent, string, error) {
	if wait, blocked := s.failuresByIP.Blocked(c.ClientIP); blocked {
		return Agent{}, "", rateLimited(wait)
	}
	row, found, err := s.loadSecrets(ctx, c)
	if err != nil {
		return Agent{}, "", err
	}
	hash := s.pins.Hash(c.AgentID, c.PIN)
	valid := found && !row.deleted && row.pinHash.Valid && row.pinExpires.Valid &&
		row.pinExpires.Int64 > store.Millis(time.Now()) && auth.EqualHash(row.pinHash.String, hash)
	if !valid {
		return Agent{}, "", s.pinFailed(ctx, c)
	}
	psk, pskHash, err := auth.NewPSK()
	if err != nil {
		return Agent{}, "", err
	}
	now := store.Now()
	// The conditional update makes the PIN one-time even under concurrent use.
	res, err := s.db.Exec(ctx, `UPDATE agents SET psk_hash = ?, pin_hash = NULL, pin_expires_at = NULL, initialized = ?,
		last_seen_at = ?, updated_at = ? WHERE id = ? AND pin_hash = ? AND deleted_at IS NULL`,
		pskHash, true, store.Millis(now), store.Millis(now), c.AgentID, hash)
	if err != nil {
		return Agent{}, "", apperr.Unavailablef(err, "server_error")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Agent{}, "", ErrPINFailed
	}
	a, err := Get(ctx, s.db, c.WorkspaceID, c.AgentID)
	if err != nil {
		return Agent{}, "", apperr.Unavailablef(err, "server_error")
	}
	return a, psk, nil
}

// pinFailed counts a failed PIN attempt. When the agent reaches its
// failure limit its outstanding PIN is burned: guesses spread over many
// addresses then gain nothing, and the operator issues a new PIN.
func (s *Service) pinFailed(ctx context.Context, c Credentials) error {
	limitErr := s.failed(c)
	if _, blocked := s.failuresByAgent.Blocked(c.agentKey()); blocked {
		if _, err := s.db.Exec(ctx, `UPDATE agents SET pin_hash = NULL, pin_expires_at = NULL WHERE id = ? AND workspace_id = ?`,
			c.AgentID, c.WorkspaceID); err != nil {
			return apperr.Unavailablef(fmt.Errorf("burn PIN: %w", err), "server_error")
		}
	}
	if limitErr != nil {
		return limitErr
	}
	return ErrPINFailed
}

var errMissingHeaders = &apperr.Error{Kind: apperr.Unauthorized, Msg: "missing auth headers"}

// CredentialsFromHeaders reads the PSK headers agents send on HTTP requests
// and on the WebSocket upgrade.
func CredentialsFromHeaders(h http.Header, clientIP string) (Credentials, error) {
	ws, agent, psk := h.Get("X-Workspace-ID"), h.Get("X-Agent-ID"), h.Get("X-Agent-PSK")
	if ws == "" || agent == "" || psk == "" {
		return Credentials{}, errMissingHeaders
	}
	wsID, err := strconv.ParseInt(strings.TrimSpace(ws), 10, 64)
	if err != nil {
		return Credentials{}, apperr.Invalidf("X-Workspace-ID must be numeric")
	}
	agentID, err := strconv.ParseInt(strings.TrimSpace(agent), 10, 64)
	if err != nil {
		return Credentials{}, apperr.Invalidf("X-Agent-ID must be numeric")
	}
	return Credentials{WorkspaceID: wsID, AgentID: agentID, PSK: psk, ClientIP: clientIP}, nil
}
