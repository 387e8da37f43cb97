// Package users holds user accounts: creation with validation, password
// verification and lookups.
package users

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
)

// RoleUser is the only site-wide role; registration never grants more.
const RoleUser = "USER"

const (
	minPasswordLen = 8
	maxPasswordLen = 1024
	maxNameLen     = 200
	maxEmailLen    = 254
)

// User is an account. JSON is camelCase, as the API reference shows.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Verified  bool      `json:"verified"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// NewUser is what registration supplies.
type NewUser struct {
	Email    string
	Password string
	Name     string
	Labels   json.RawMessage
	Metadata json.RawMessage
}

// NormalizeEmail trims and lower-cases an address and checks its form.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", apperr.Invalidf("email is required")
	}
	if len(email) > maxEmailLen {
		return "", apperr.Invalidf("email is longer than %d characters", maxEmailLen)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", apperr.Invalidf("email %q is not a valid address", email)
	}
	return email, nil
}

// ValidatePassword enforces the password policy.
func ValidatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < minPasswordLen {
		return apperr.Invalidf("password must be at least %d characters", minPasswordLen)
	}
	if len(password) > maxPasswordLen {
		return apperr.Invalidf("password must be at most %d bytes", maxPasswordLen)
	}
	return nil
}

// Create validates and stores a new user. A taken email is a Conflict.
func Create(ctx context.Context, conn store.Conn, in NewUser) (User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	if err := ValidatePassword(in.Password); err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(name) > maxNameLen {
		return User{}, apperr.Invalidf("name must be at most %d characters", maxNameLen)
	}
	labels, err := store.JSONObject("labels", in.Labels)
	if err != nil {
		return User{}, err
	}
	metadata, err := store.JSONObject("metadata", in.Metadata)
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := store.Now()
	u := User{Email: email, Name: name, Role: RoleUser, CreatedAt: now, UpdatedAt: now}
	err = conn.QueryRow(ctx, `INSERT INTO users (email, password_hash, name, role, labels, metadata, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		email, hash, name, RoleUser, labels, metadata, store.Millis(now), store.Millis(now)).Scan(&u.ID)
	if store.IsUniqueViolation(err) {
		return User{}, apperr.Conflictf("an account with email %s already exists", email)
	}
	if err != nil {
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return u, nil
}

const userColumns = `id, email, name, role, verified, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var created, updated int64
	dest := append([]any{&u.ID, &u.Email, &u.Name, &u.Role, &u.Verified, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return User{}, err
	}
	u.CreatedAt, u.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return u, nil
}

// ByID returns the user with id, or NotFound.
func ByID(ctx context.Context, conn store.Conn, id int64) (User, error) {
	u, err := scanUser(conn.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if store.IsNoRows(err) {
		return User{}, apperr.NotFoundf("user %d not found", id)
	}
	if err != nil {
		return User{}, fmt.Errorf("load user %d: %w", id, err)
	}
	return u, nil
}

// ByEmail returns the user with the (normalised) email, or NotFound.
func ByEmail(ctx context.Context, conn store.Conn, email string) (User, error) {
	u, err := scanUser(conn.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if store.IsNoRows(err) {
		return User{}, apperr.NotFoundf("no user with email %s", email)
	}
	if err != nil {
		return User{}, fmt.Errorf("load user by email: %w", err)
	}
	return u, nil
}

// ErrBadCredentials is the one answer to every failed login, so responses do
// not reveal whether an account exists.
var ErrBadCredentials = &apperr.Error{Kind: apperr.Unauthorized, Msg: "invalid email or password"}

// Authenticate returns the user whose email and password match.
func Authenticate(ctx context.Context, conn store.Conn, email, password string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var hash string
	u, err := scanUser(conn.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, email), &hash)
	if store.IsNoRows(err) {
		_, _ = CheckPassword(dummyHash, password)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("load user for login: %w", err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return User{}, fmt.Errorf("check password of user %d: %w", u.ID, err)
	}
	if !ok {
		return User{}, ErrBadCredentials
	}
	return u, nil
}
