package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

// inAgent is inWorkspace plus the {agentID} path segment, which must name a
// live agent of that workspace (else 404).
func (a *API) inAgent(min workspace.Role, next handler) handler {
	return a.inWorkspace(min, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "agentID")
		if err != nil {
			return err
		}
		ag, err := agents.Get(r.Context(), a.db, currentWorkspace(r).ID, id)
		if err != nil {
			return err
		}
		return next(w, r.WithContext(context.WithValue(r.Context(), agentKey, ag)))
	})
}

// currentAgent is the agent of an inAgent handler.
func currentAgent(r *http.Request) agents.Agent {
	return r.Context().Value(agentKey).(agents.Agent)
}

type agentRequest struct {
	Name              *string `json:"name"`
	Description       *string `json:"description"`
	Location          *string `json:"location"`
	PublicIPOverride  *string `json:"public_ip_override"`
	Version           *string `json:"version"`
	TrafficSimEnabled *bool   `json:"trafficsim_enabled"`
	TrafficSimPort    *int    `json:"trafficsim_port"`
	// trafficSimEnabled/trafficSimPort, the camelCase that splits "TrafficSim".
	TrafficSimEnabledAlt *bool           `json:"traffic_sim_enabled"`
	TrafficSimPortAlt    *int            `json:"traffic_sim_port"`
	Labels               json.RawMessage `json:"labels"`
	Metadata             json.RawMessage `json:"metadata"`
	PINLength            int             `json:"pin_length"`
	PINTTLSeconds        int             `json:"pin_ttl_seconds"`
	TTLSeconds           int             `json:"ttl_seconds"` // issue-pin's spelling
}

func (req agentRequest) fields() agents.Fields {
	f := agents.Fields{Name: req.Name, Description: req.Description, Location: req.Location,
		PublicIPOverride: req.PublicIPOverride, Version: req.Version, TrafficSimEnabled: req.TrafficSimEnabled,
		TrafficSimPort: req.TrafficSimPort, Labels: req.Labels, Metadata: req.Metadata}
	if f.TrafficSimEnabled == nil {
		f.TrafficSimEnabled = req.TrafficSimEnabledAlt
	}
	if f.TrafficSimPort == nil {
		f.TrafficSimPort = req.TrafficSimPortAlt
	}
	return f
}

func (req agentRequest) pinOptions() agents.PINOptions {
	ttl := req.PINTTLSeconds
	if ttl == 0 {
		ttl = req.TTLSeconds
	}
	return agents.PINOptions{Length: req.PINLength, TTLSeconds: ttl}
}

// agentWithPIN is the answer of create and regenerate.
type agentWithPIN struct {
	Agent agents.Agent `json:"agent"`
	PIN   string       `json:"pin"`
}

func (a *API) listAgents(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	list, total, err := agents.List(r.Context(), a.db, currentWorkspace(r).ID, page)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listPage[agents.Agent]{Data: list, Total: total, Limit: page.Limit, Offset: page.Offset})
}

func (a *API) createAgent(w http.ResponseWriter, r *http.Request) error {
	var req agentRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	ag, pin, err := a.agents.Create(r.Context(), currentWorkspace(r).ID, req.fields(), req.pinOptions())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, agentWithPIN{Agent: ag, PIN: pin})
}

func (a *API) getAgent(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, currentAgent(r))
}

func (a *API) updateAgent(w http.ResponseWriter, r *http.Request) error {
	var req agentRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	ag, err := a.agents.Update(r.Context(), currentWorkspace(r).ID, currentAgent(r).ID, req.fields())
	if err != nil {
		return err
	}
	a.events.ProbesChanged([]int64{ag.ID})
	return writeJSON(w, http.StatusOK, ag)
}

// deleteAgent tells a connected agent to deactivate, then soft-deletes it
// and its probes.
func (a *API) deleteAgent(w http.ResponseWriter, r *http.Request) error {
	ag := currentAgent(r)
	a.events.Deactivate(ag.ID, "deleted")
	if err := a.agents.Delete(r.Context(), ag.WorkspaceID, ag.ID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ok)
}

func (a *API) heartbeat(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.agents.Heartbeat(r.Context(), currentWorkspace(r).ID, currentAgent(r).ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ok": true, "ts": ts})
}

func (a *API) issuePIN(w http.ResponseWriter, r *http.Request) error {
	var req agentRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	pin, err := a.agents.IssuePIN(r.Context(), currentWorkspace(r).ID, currentAgent(r).ID, req.pinOptions())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"pin": pin})
}

// regenerateAgent revokes the PSK and issues a new PIN (optional body:
// pinLength, ttlSeconds as for issue-pin). A connected deployed agent is
// told to deactivate first: it deletes its credentials and stops, and must
// be re-installed with the new PIN.
func (a *API) regenerateAgent(w http.ResponseWriter, r *http.Request) error {
	var req agentRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	opts, err := req.pinOptions().Resolve() // bad options must not deactivate the agent
	if err != nil {
		return err
	}
	ag := currentAgent(r)
	a.events.Deactivate(ag.ID, "regenerated")
	ag, pin, err := a.agents.Regenerate(r.Context(), ag.WorkspaceID, ag.ID, opts)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, agentWithPIN{Agent: ag, PIN: pin})
}
