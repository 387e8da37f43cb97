// Package origin is the browser Origin rule of CONTRACT §1, shared by the
// API's CORS middleware and the WebSocket endpoints so both decide alike.
package origin

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Policy is NETWATCHER_ALLOWED_ORIGINS: origins a browser may call from,
// "*" for any.
type Policy []string

// Check applies the rule to r: a request without Origin (agents, scripts)
// passes; a browser Origin must be listed in the policy or, when it is not,
// match the request's Host (same origin). listed reports a policy match,
// which is when CORS headers are due.
func (p Policy) Check(r *http.Request) (origin string, listed bool, allowed bool) {
	origin = r.Header.Get("Origin")
	if origin == "" {
		return "", false, true
	}
	if slices.Contains(p, "*") || slices.ContainsFunc(p, func(o string) bool {
		return strings.EqualFold(strings.TrimRight(o, "/"), origin)
	}) {
		return origin, true, true
	}
	u, err := url.Parse(origin)
	return origin, false, err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// Refusal is the message for a refused Origin; it tells the operator the fix.
const Refusal = "origin not allowed: add it to NETWATCHER_ALLOWED_ORIGINS"
