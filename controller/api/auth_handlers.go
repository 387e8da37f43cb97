package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/ratelimit"
	"github.com/netwatcher/netwatcher/controller/users"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

// tooMany is the 429 answer of a limiter; wait becomes Retry-After.
func tooMany(wait time.Duration, what string) error {
	return &apperr.Error{Kind: apperr.TooMany, Msg: "too many " + what + "; retry later",
		RetryAfterSeconds: ratelimit.RetryAfterSeconds(wait)}
}

type registerRequest struct {
	Email    string          `json:"email"`
	Password string          `json:"password"`
	Name     string          `json:"name"`
	Labels   json.RawMessage `json:"labels"`
	Metadata json.RawMessage `json:"metadata"`
	// A "role" in the body is ignored: registration never grants privileges.
}

func (a *API) register(w http.ResponseWriter, r *http.Request) error {
	ip := ratelimit.AddrKey(a.clientIP(r))
	if wait, ok := a.registerLimit.Allow(ip); !ok {
		return tooMany(wait, "registrations from this address")
	}
	var req registerRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	u, err := users.Create(r.Context(), a.db, users.NewUser{Email: req.Email, Password: req.Password,
		Name: req.Name, Labels: req.Labels, Metadata: req.Metadata})
	if err != nil {
		return err
	}
	login, err := a.sessions.Open(r.Context(), u, a.client(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, login)
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// login is limited per client IP and per account; only failures count, so
// a correct password is refused only while that IP or account is blocked.
func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	ip := ratelimit.AddrKey(a.clientIP(r))
	account := strings.ToLower(strings.TrimSpace(req.Email))
	if wait, blocked := a.loginIPLimit.Blocked(ip); blocked {
		return tooMany(wait, "failed logins from this address")
	}
	if wait, blocked := a.loginAccountLimit.Blocked(account); blocked {
		return tooMany(wait, "failed logins for this account")
	}
	if req.Email == "" || req.Password == "" {
		return apperr.Invalidf("email and password are required")
	}
	u, err := users.Authenticate(r.Context(), a.db, req.Email, req.Password)
	if apperr.Is(err, apperr.Unauthorized) {
		a.loginIPLimit.Hit(ip)
		a.loginAccountLimit.Hit(account)
	}
	if err != nil {
		return err
	}
	login, err := a.sessions.Open(r.Context(), u, a.client(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, login)
}

func (a *API) client(r *http.Request) auth.Client {
	return auth.Client{IP: a.clientIP(r).String(), UserAgent: r.UserAgent()}
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if err := a.sessions.Revoke(r.Context(), session(r).ID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ok)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, session(r).User)
}

func (a *API) myInvitations(w http.ResponseWriter, r *http.Request) error {
	invs, err := workspace.Invitations(r.Context(), a.db, session(r).User.Email)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[workspace.Invitation]{Data: invs})
}
