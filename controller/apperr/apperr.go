// Package apperr defines the errors that domain packages return and the API
// maps to HTTP statuses in one place. Domain code says what went wrong
// (invalid input, not found, conflict…); it never chooses a status code.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the API layer.
type Kind int

const (
	Invalid      Kind = iota + 1 // bad input: 400
	Unauthorized                 // missing or bad credentials: 401
	Forbidden                    // authenticated but not allowed: 403
	NotFound                     // 404
	Conflict                     // duplicate or state conflict: 409
	Gone                         // deleted: 410
	TooMany                      // rate limited: 429
	Unavailable                  // a dependency is down or not configured: 503
	Timeout                      // a dependency did not answer in time: 504
)

// Error is an error with a kind and a message safe to show to API clients.
type Error struct {
	Kind Kind
	Msg  string
	// RequiredRole is set on Forbidden errors caused by a too-low role.
	RequiredRole string
	// Limit is set on Forbidden errors caused by a quota.
	Limit int
	// RetryAfterSeconds is set on TooMany errors.
	RetryAfterSeconds int
	// Err is an underlying cause, logged but never shown to clients.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind with a formatted client-facing message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Invalidf reports bad input; the message should name the field and why.
func Invalidf(format string, args ...any) *Error { return New(Invalid, format, args...) }

// NotFoundf reports a missing (or invisible to the caller) resource.
func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }

// Conflictf reports a duplicate or a state that forbids the change.
func Conflictf(format string, args ...any) *Error { return New(Conflict, format, args...) }

// Forbiddenf reports an action the caller may not take for a reason other than role.
func Forbiddenf(format string, args ...any) *Error { return New(Forbidden, format, args...) }

// RoleRequired reports that the caller's role in the workspace is too low.
func RoleRequired(role string) *Error {
	return &Error{Kind: Forbidden, Msg: "insufficient role: " + role + " or higher required", RequiredRole: role}
}

// QuotaReached reports a configured limit.
func QuotaReached(what string, limit int) *Error {
	return &Error{Kind: Forbidden, Msg: fmt.Sprintf("%s limit reached", what), Limit: limit}
}

// Unavailablef reports a dependency that is down or not configured.
func Unavailablef(cause error, format string, args ...any) *Error {
	e := New(Unavailable, format, args...)
	e.Err = cause
	return e
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries an *Error of the given kind.
func Is(err error, kind Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == kind
}
