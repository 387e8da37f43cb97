package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// handler is an HTTP handler that returns its error instead of writing it,
// so every error goes through writeError and gets the same JSON shape.
type handler func(w http.ResponseWriter, r *http.Request) error

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// ok is the body of deletes and other actions without a resource to return.
var ok = map[string]bool{"ok": true}

// listPage is the paginated list envelope.
type listPage[T any] struct {
	Data   []T `json:"data"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// list is the plain list envelope.
type list[T any] struct {
	Data []T `json:"data"`
}

var internalError = apperr.New(0, "internal server error")

var statusOf = map[apperr.Kind]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Gone:         http.StatusGone,
	apperr.TooMany:      http.StatusTooManyRequests,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Timeout:      http.StatusGatewayTimeout,
}

// writeError maps err to a status and a JSON body. Errors that are not
// apperr.Errors are internal: logged in full, shown as a generic 500.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, isApp := apperr.As(err)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		e = apperr.New(apperr.Invalid, "request body too large (limit %d bytes)", tooBig.Limit)
		writeErrorBody(w, http.StatusRequestEntityTooLarge, e)
		return
	case !isApp:
		a.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		writeErrorBody(w, http.StatusInternalServerError, internalError)
		return
	}
	status := statusOf[e.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	if e.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	writeErrorBody(w, status, e)
}

func writeErrorBody(w http.ResponseWriter, status int, e *apperr.Error) {
	body := map[string]any{"error": e.Msg}
	if e.RequiredRole != "" {
		body["required_role"] = e.RequiredRole
	}
	if e.Limit > 0 {
		body["limit"] = e.Limit
	}
	_ = writeJSON(w, status, body)
}

// serve adapts a handler to net/http.
func (a *API) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}
