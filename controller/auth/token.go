package auth

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Tokens signs and verifies HS256 session tokens.
type Tokens struct {
	key []byte
	ttl time.Duration
}

// NewTokens returns a signer with the given key and token lifetime.
func NewTokens(key []byte, ttl time.Duration) *Tokens { return &Tokens{key: key, ttl: ttl} }

// Claims are what a token asserts.
type Claims struct {
	UserID    int64
	SessionID string
	ExpiresAt time.Time
}

type jwtClaims struct {
	SessionID string `json:"sid"`
	jwt.RegisteredClaims
}

// Issue signs a token for a user's session, valid from now for the TTL.
func (t *Tokens) Issue(userID int64, sessionID string, now time.Time) (string, time.Time, error) {
	exp := now.Add(t.ttl)
	claims := jwtClaims{
		SessionID: sessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(userID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return signed, exp, nil
}

// ErrInvalidToken covers every reason a token is refused.
var ErrInvalidToken = errors.New("invalid or expired token")

// Parse verifies a token's signature, algorithm and expiry.
func (t *Tokens) Parse(token string) (Claims, error) {
	var claims jwtClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired())
	if err != nil {
		return Claims{}, ErrInvalidToken
	}
	uid, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || uid <= 0 || claims.SessionID == "" {
		return Claims{}, ErrInvalidToken
	}
	return Claims{UserID: uid, SessionID: claims.SessionID, ExpiresAt: claims.ExpiresAt.Time}, nil
}

// TTL is the lifetime of issued tokens.
func (t *Tokens) TTL() time.Duration { return t.ttl }
