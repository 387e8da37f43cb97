// Package api is the controller's HTTP surface: routing, middleware
// (authentication, roles, limits, CORS, logging) and thin handlers that
// decode a request, call a domain package and encode its answer.
package api

import (
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/clientip"
	"github.com/netwatcher/netwatcher/controller/lookup"
	"github.com/netwatcher/netwatcher/controller/networkmap"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/ratelimit"
	"github.com/netwatcher/netwatcher/controller/speedtest"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Deps is what the API needs from the rest of the controller.
type Deps struct {
	DB        *store.DB
	Sessions  *auth.Sessions
	Agents    *agents.Service
	Probes    *probes.Service
	Data      probedata.Store
	Speedtest *speedtest.Queue
	// Alerts serves alert rules, alerts and webhook deliveries.
	Alerts *alerts.Service
	// AgentSocket serves /ws and /ws/agent.
	AgentSocket http.Handler
	// PanelSocket serves /ws/panel.
	PanelSocket http.Handler
	// NetworkMap draws GET /workspaces/{id}/network-map.
	NetworkMap *networkmap.Builder
	// WorkspaceEvents hears of every successful write inside a workspace; nil: nobody listens.
	WorkspaceEvents WorkspaceEvents
	// Events reaches connected agents; nil means agents learn on their next poll.
	Events         AgentEvents
	Log            *slog.Logger
	AllowedOrigins []string
	TrustedProxies []netip.Prefix
	// AuthRateLimit is attempts per minute per key; 0 disables auth limits.
	AuthRateLimit int
	// Lookups answers GeoIP, OUI, WHOIS and IP lookups (required).
	Lookups *lookup.Service
	// LookupRateLimit is WHOIS, combined and bulk lookups per minute per user; 0 = off.
	LookupRateLimit int
}

// API holds the handlers' shared state.
type API struct {
	db             *store.DB
	sessions       *auth.Sessions
	agents         *agents.Service
	probes         *probes.Service
	data           probedata.Store
	speedtest      *speedtest.Queue
	alerts         *alerts.Service
	events         AgentEvents
	log            *slog.Logger
	allowedOrigins []string
	ips            clientip.Resolver

	registerLimit     *ratelimit.Limiter // per client IP, every attempt
	loginIPLimit      *ratelimit.Limiter // per client IP, failures
	loginAccountLimit *ratelimit.Limiter // per email, failures

	lookups     *lookup.Service
	lookupLimit *ratelimit.Limiter // per user, WHOIS, combined and bulk lookups

	panelSocket     http.Handler
	networkMap      *networkmap.Builder
	workspaceEvents WorkspaceEvents
}

// New builds the HTTP handler of the controller.
func New(d Deps) http.Handler {
	a := &API{
		db: d.DB, sessions: d.Sessions, agents: d.Agents, probes: d.Probes, events: d.Events, log: d.Log,
		data: d.Data, speedtest: d.Speedtest, alerts: d.Alerts,
		allowedOrigins: d.AllowedOrigins, ips: clientip.Resolver{Trusted: d.TrustedProxies},
		registerLimit:     ratelimit.New(d.AuthRateLimit),
		loginIPLimit:      ratelimit.New(d.AuthRateLimit),
		loginAccountLimit: ratelimit.New(d.AuthRateLimit),
		lookups:           d.Lookups, lookupLimit: ratelimit.New(d.LookupRateLimit),
	}
	if a.events == nil {
		a.events = noAgentEvents{}
	}
	a.panelSocket, a.networkMap, a.workspaceEvents = d.PanelSocket, d.NetworkMap, d.WorkspaceEvents
	if a.workspaceEvents == nil {
		a.workspaceEvents = noWorkspaceEvents{}
	}
	mux := http.NewServeMux()
	a.routes(router{mux: mux, api: a}, d.AgentSocket)
	return a.logAndRecover(a.cors(jsonFallbacks(mux, a)))
}
