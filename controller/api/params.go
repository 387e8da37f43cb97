package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
)

const (
	defaultLimit = 50
	maxLimit     = 200
)

// pathID parses the numeric path parameter name.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf("%s %q in the path must be a positive integer", name, v)
	}
	return id, nil
}

// queryText reads an optional free-text query parameter. Text that is not
// valid UTF-8 or holds NUL is refused: PostgreSQL cannot compare it.
func queryText(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		return "", apperr.Invalidf("query parameter %s must be UTF-8 text without NUL characters", name)
	}
	return v, nil
}

// queryInt parses an optional integer query parameter.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Invalidf("query parameter %s=%q must be an integer", name, v)
	}
	return n, nil
}

// parsePage reads limit (default 50, clamped to 200, at least 1) and offset (≥ 0).
func parsePage(r *http.Request) (store.Page, error) {
	limit, err := queryInt(r, "limit", defaultLimit)
	if err != nil {
		return store.Page{}, err
	}
	if limit < 1 {
		return store.Page{}, apperr.Invalidf("limit must be at least 1")
	}
	limit = min(limit, maxLimit)
	offset, err := queryInt(r, "offset", 0)
	if err != nil {
		return store.Page{}, err
	}
	if offset < 0 {
		return store.Page{}, apperr.Invalidf("offset must not be negative")
	}
	return store.Page{Limit: limit, Offset: offset}, nil
}
