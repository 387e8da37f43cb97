package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/users"
)

// Sessions ties tokens to rows of the sessions table, so logout can revoke a
// token before it expires.
type Sessions struct {
	db     *store.DB
	tokens *Tokens
}

// NewSessions returns the session service.
func NewSessions(db *store.DB, tokens *Tokens) *Sessions { return &Sessions{db: db, tokens: tokens} }

// Login is a freshly issued token and the user it belongs to.
type Login struct {
	Token string     `json:"token"`
	User  users.User `json:"data"`
}

// Client describes where a session was opened from, for the audit trail.
type Client struct {
	IP        string
	UserAgent string
}

// Open creates a session for user and returns its signed token.
func (s *Sessions) Open(ctx context.Context, user users.User, client Client) (Login, error) {
	id, err := randomHex(16)
	if err != nil {
		return Login{}, err
	}
	now := store.Now()
	token, exp, err := s.tokens.Issue(user.ID, id, now)
	if err != nil {
		return Login{}, err
	}
	ua := client.UserAgent
	if len(ua) > 256 {
		ua = ua[:256]
	}
	// A header may carry any bytes, and the cut may split a character;
	// PostgreSQL refuses invalid UTF-8 in TEXT, so drop what is not text.
	ua = strings.ToValidUTF8(ua, "")
	if _, err := s.db.Exec(ctx, `INSERT INTO sessions (id, user_id, created_at, expires_at, client_ip, user_agent) VALUES (?, ?, ?, ?, ?, ?)`,
		id, user.ID, store.Millis(now), store.Millis(exp), client.IP, ua); err != nil {
		return Login{}, fmt.Errorf("create session: %w", err)
	}
	return Login{Token: token, User: user}, nil
}

// ErrUnauthenticated is returned for any token that does not identify a live session.
var ErrUnauthenticated = &apperr.Error{Kind: apperr.Unauthorized, Msg: "invalid or expired token"}

// Session is an authenticated caller.
type Session struct {
	ID   string
	User users.User
}

// Verify checks a token and its session, returning the caller.
func (s *Sessions) Verify(ctx context.Context, token string) (Session, error) {
	claims, err := s.tokens.Parse(token)
	if err != nil {
		return Session{}, ErrUnauthenticated
	}
	var u users.User
	var created, updated int64
	err = s.db.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.verified, u.created_at, u.updated_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
		claims.SessionID, claims.UserID, store.Millis(time.Now())).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Verified, &created, &updated)
	if store.IsNoRows(err) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, apperr.Unavailablef(err, "database unavailable")
	}
	u.CreatedAt, u.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return Session{ID: claims.SessionID, User: u}, nil
}

// Revoke ends a session at once.
func (s *Sessions) Revoke(ctx context.Context, sessionID string) error {
	_, err := s.db.Exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		store.Millis(time.Now()), sessionID)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// PurgeExpired deletes sessions that expired before cutoff, bounded per call
// so a large backlog never holds a long write lock.
func (s *Sessions) PurgeExpired(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < ? LIMIT 1000)`,
		store.Millis(cutoff))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", errors.New("random source failed: " + err.Error())
	}
	return hex.EncodeToString(b), nil
}
