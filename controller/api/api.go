// Package api is the controller's HTTP surface: routing, middleware
// (authentication, roles, limits, CORS, logging) and thin handlers that
// decode a request, call a domain package and encode its answer.
package api

import (
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/ratelimit"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

// Deps is what the API needs from the rest of the controller.
type Deps struct {
	DB             *store.DB
	Sessions       *auth.Sessions
	Log            *slog.Logger
	AllowedOrigins []string
	TrustedProxies []netip.Prefix
	// AuthRateLimit is attempts per minute per key; 0 disables auth limits.
	AuthRateLimit int
}

// API holds the handlers' shared state.
type API struct {
	db             *store.DB
	sessions       *auth.Sessions
	log            *slog.Logger
	allowedOrigins []string
	trustedProxies []netip.Prefix

	registerLimit     *ratelimit.Limiter // per client IP, every attempt
	loginIPLimit      *ratelimit.Limiter // per client IP, failures
	loginAccountLimit *ratelimit.Limiter // per email, failures
}

// New builds the HTTP handler of the controller.
func New(d Deps) http.Handler {
	a := &API{
		db: d.DB, sessions: d.Sessions, log: d.Log,
		allowedOrigins: d.AllowedOrigins, trustedProxies: d.TrustedProxies,
		registerLimit:     ratelimit.New(d.AuthRateLimit),
		loginIPLimit:      ratelimit.New(d.AuthRateLimit),
		loginAccountLimit: ratelimit.New(d.AuthRateLimit),
	}
	mux := http.NewServeMux()
	a.routes(mux)
	return a.logAndRecover(a.cors(jsonFallbacks(mux, a)))
}

// routes is the route table. Literal segments beat wildcards in ServeMux,
// so no route can shadow another.
func (a *API) routes(mux *http.ServeMux) {
	public := func(pattern string, h handler) { mux.Handle(pattern, a.serve(h)) }
	user := func(pattern string, h handler) { mux.Handle(pattern, a.serve(a.authed(h))) }
	member := func(pattern string, min workspace.Role, h handler) {
		mux.Handle(pattern, a.serve(a.inWorkspace(min, h)))
	}

	public("GET /healthz", a.healthz)

	public("POST /auth/register", a.register)
	public("POST /auth/login", a.login)
	user("POST /auth/logout", a.logout)
	user("GET /auth/me", a.me)
	user("GET /auth/me/invitations", a.myInvitations)

	user("GET /workspaces", a.listWorkspaces)
	user("POST /workspaces", a.createWorkspace)
	member("GET /workspaces/{id}", workspace.Viewer, a.getWorkspace)
	member("PATCH /workspaces/{id}", workspace.Admin, a.updateWorkspace)
	member("DELETE /workspaces/{id}", workspace.Owner, a.deleteWorkspace)
	member("POST /workspaces/{id}/transfer-ownership", workspace.Owner, a.transferOwnership)

	member("GET /workspaces/{id}/members", workspace.Viewer, a.listMembers)
	member("POST /workspaces/{id}/members", workspace.Admin, a.addMember)
	member("PATCH /workspaces/{id}/members/{memberId}", workspace.Admin, a.updateMember)
	// Any member may leave; removing others needs ADMIN (checked in the domain).
	member("DELETE /workspaces/{id}/members/{memberId}", workspace.Viewer, a.removeMember)
	user("POST /workspaces/{id}/accept-invite", a.acceptInvite)
}
