// Package api is the controller's HTTP surface: routing, middleware
// (authentication, roles, limits, CORS, logging) and thin handlers that
// decode a request, call a domain package and encode its answer.
package api

import (
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/ratelimit"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

// Deps is what the API needs from the rest of the controller.
type Deps struct {
	DB       *store.DB
	Sessions *auth.Sessions
	Agents   *agents.Service
	Probes   *probes.Service
	// Events reaches connected agents; nil means agents learn on their next poll.
	Events         AgentEvents
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
	agents         *agents.Service
	probes         *probes.Service
	events         AgentEvents
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
		db: d.DB, sessions: d.Sessions, agents: d.Agents, probes: d.Probes, events: d.Events, log: d.Log,
		allowedOrigins: d.AllowedOrigins, trustedProxies: d.TrustedProxies,
		registerLimit:     ratelimit.New(d.AuthRateLimit),
		loginIPLimit:      ratelimit.New(d.AuthRateLimit),
		loginAccountLimit: ratelimit.New(d.AuthRateLimit),
	}
	if a.events == nil {
		a.events = noAgentEvents{}
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

	const agentPath = "/workspaces/{id}/agents/{agentID}"
	member("GET /workspaces/{id}/agents", workspace.Viewer, a.listAgents)
	member("POST /workspaces/{id}/agents", workspace.User, a.createAgent)
	agent := func(pattern string, min workspace.Role, h handler) {
		mux.Handle(pattern, a.serve(a.inAgent(min, h)))
	}
	agent("GET "+agentPath, workspace.Viewer, a.getAgent)
	agent("PATCH "+agentPath, workspace.User, a.updateAgent)
	agent("DELETE "+agentPath, workspace.Admin, a.deleteAgent)
	agent("POST "+agentPath+"/heartbeat", workspace.User, a.heartbeat)
	agent("POST "+agentPath+"/issue-pin", workspace.User, a.issuePIN)
	agent("POST "+agentPath+"/regenerate", workspace.Admin, a.regenerateAgent)

	agent("GET "+agentPath+"/probes", workspace.Viewer, a.listProbes)
	agent("POST "+agentPath+"/probes", workspace.User, a.createProbe)
	agent("POST "+agentPath+"/probes/copy", workspace.User, a.copyProbes)
	member("POST /workspaces/{id}/probes/copy", workspace.User, a.copyProbes)
	agent("GET "+agentPath+"/probes/{probeID}", workspace.Viewer, a.getProbe)
	agent("PATCH "+agentPath+"/probes/{probeID}", workspace.User, a.updateProbe)
	agent("DELETE "+agentPath+"/probes/{probeID}", workspace.User, a.deleteProbe)
	member("GET /workspaces/{id}/probe-data/probes/{probeID}/similar", workspace.Viewer, a.similarProbes)

	// The agents' own endpoints (PROTOCOL.md §1): PIN/PSK, not JWT.
	public("POST /agent", a.agentLogin)
	public("POST /agent/login", a.agentLogin)
	agentAPI := func(pattern string, h handler) { mux.Handle(pattern, a.serve(a.agentAuthed(h))) }
	agentAPI("GET /agent/time", a.agentTime)
	agentAPI("GET /agent/api/whoami", a.agentWhoami)
	agentAPI("GET /agent/api/lookup/ip/{ip}", a.agentLookupIP)
}
