package api

import (
	"net/http"

	"github.com/netwatcher/netwatcher/controller/workspace"
	"github.com/netwatcher/netwatcher/protocol"
)

// router registers handlers behind the access checks they need. ServeMux
// prefers literal segments to wildcards, so no route can shadow another.
type router struct {
	mux *http.ServeMux
	api *API
}

// public: no credentials.
func (r router) public(pattern string, h handler) { r.mux.Handle(pattern, r.api.serve(h)) }

// user: any logged-in user.
func (r router) user(pattern string, h handler) { r.mux.Handle(pattern, r.api.serve(r.api.authed(h))) }

// member: a member of the {id} workspace with at least role min.
func (r router) member(pattern string, min workspace.Role, h handler) {
	r.mux.Handle(pattern, r.api.serve(r.api.inWorkspace(min, h)))
}

// agent: member, and {agentID} must be an agent of that workspace.
func (r router) agent(pattern string, min workspace.Role, h handler) {
	r.mux.Handle(pattern, r.api.serve(r.api.inAgent(min, h)))
}

// agentAPI: an agent authenticated by its PSK headers.
func (r router) agentAPI(pattern string, h handler) {
	r.mux.Handle(pattern, r.api.serve(r.api.agentAuthed(h)))
}

// agentPath prefixes agent-scoped routes.
const agentPath = "/workspaces/{id}/agents/{agentID}"

// routes is the route table, one method per area.
func (a *API) routes(r router, agentSocket http.Handler) {
	r.public("GET /healthz", a.healthz)
	a.authRoutes(r)
	a.workspaceRoutes(r)
	a.agentRoutes(r)
	a.probeRoutes(r)
	a.probeDataRoutes(r)
	a.speedtestRoutes(r)
	a.alertRoutes(r)
	a.agentProtocolRoutes(r)
	a.panelRoutes(r)
	a.lookupRoutes(r)
	if agentSocket != nil {
		r.mux.Handle("GET /ws", agentSocket)
		r.mux.Handle("GET /ws/agent", agentSocket)
	}
}

func (a *API) authRoutes(r router) {
	r.public("POST /auth/register", a.register)
	r.public("POST /auth/login", a.login)
	r.user("POST /auth/logout", a.logout)
	r.user("GET /auth/me", a.me)
	r.user("GET /auth/me/invitations", a.myInvitations)
}

func (a *API) workspaceRoutes(r router) {
	r.user("GET /workspaces", a.listWorkspaces)
	r.user("POST /workspaces", a.createWorkspace)
	r.member("GET /workspaces/{id}", workspace.Viewer, a.getWorkspace)
	r.member("PATCH /workspaces/{id}", workspace.Admin, a.updateWorkspace)
	r.member("DELETE /workspaces/{id}", workspace.Owner, a.deleteWorkspace)
	r.member("POST /workspaces/{id}/transfer-ownership", workspace.Owner, a.transferOwnership)

	r.member("GET /workspaces/{id}/members", workspace.Viewer, a.listMembers)
	r.member("POST /workspaces/{id}/members", workspace.Admin, a.addMember)
	r.member("PATCH /workspaces/{id}/members/{memberId}", workspace.Admin, a.updateMember)
	// Any member may leave; removing others needs ADMIN (checked in the domain).
	r.member("DELETE /workspaces/{id}/members/{memberId}", workspace.Viewer, a.removeMember)
	r.user("POST /workspaces/{id}/accept-invite", a.acceptInvite)
}

func (a *API) agentRoutes(r router) {
	r.member("GET /workspaces/{id}/agents", workspace.Viewer, a.listAgents)
	r.member("POST /workspaces/{id}/agents", workspace.User, a.createAgent)
	r.agent("GET "+agentPath, workspace.Viewer, a.getAgent)
	r.agent("PATCH "+agentPath, workspace.User, a.updateAgent)
	r.agent("DELETE "+agentPath, workspace.Admin, a.deleteAgent)
	r.agent("POST "+agentPath+"/heartbeat", workspace.User, a.heartbeat)
	r.agent("POST "+agentPath+"/issue-pin", workspace.User, a.issuePIN)
	r.agent("POST "+agentPath+"/regenerate", workspace.Admin, a.regenerateAgent)
}

func (a *API) probeRoutes(r router) {
	r.agent("GET "+agentPath+"/probes", workspace.Viewer, a.listProbes)
	r.agent("POST "+agentPath+"/probes", workspace.User, a.createProbe)
	r.agent("POST "+agentPath+"/probes/copy", workspace.User, a.copyProbes)
	r.member("POST /workspaces/{id}/probes/copy", workspace.User, a.copyProbes)
	r.agent("GET "+agentPath+"/probes/{probeID}", workspace.Viewer, a.getProbe)
	r.agent("PATCH "+agentPath+"/probes/{probeID}", workspace.User, a.updateProbe)
	r.agent("DELETE "+agentPath+"/probes/{probeID}", workspace.User, a.deleteProbe)
	r.member("GET /workspaces/{id}/probe-data/probes/{probeID}/similar", workspace.Viewer, a.similarProbes)
}

func (a *API) probeDataRoutes(r router) {
	r.member("GET /workspaces/{id}/probe-data/find", workspace.Viewer, a.findProbeData)
	r.member("GET /workspaces/{id}/probe-data/probes/{probeID}/data", workspace.Viewer, a.probeData)
	r.member("GET /workspaces/{id}/probe-data/latest", workspace.Viewer, a.latestProbeData)
	r.member("GET /workspaces/{id}/probe-data/by-target/data", workspace.Viewer, a.byTargetData)
	r.agent("GET "+agentPath+"/netinfo", workspace.Viewer, a.agentLatest(protocol.TypeNetinfo))
	r.agent("GET "+agentPath+"/sysinfo", workspace.Viewer, a.agentLatest(protocol.TypeSysinfo))
}

func (a *API) speedtestRoutes(r router) {
	r.agent("GET "+agentPath+"/speedtest-queue", workspace.Viewer, a.listSpeedtests)
	r.agent("POST "+agentPath+"/speedtest-queue", workspace.User, a.requestSpeedtest)
	r.agent("DELETE "+agentPath+"/speedtest-queue/{queueID}", workspace.User, a.cancelSpeedtest)
	r.agent("GET "+agentPath+"/speedtest-servers", workspace.Viewer, a.speedtestServers)
}

// agentProtocolRoutes are the agents' own endpoints (PROTOCOL.md §1):
// PIN/PSK, not JWT.
func (a *API) agentProtocolRoutes(r router) {
	r.public("POST /agent", a.agentLogin)
	r.public("POST /agent/login", a.agentLogin)
	r.agentAPI("GET /agent/time", a.agentTime)
	r.agentAPI("GET /agent/api/whoami", a.agentWhoami)
	r.agentAPI("GET /agent/api/lookup/ip/{ip}", a.agentLookupIP)
}
