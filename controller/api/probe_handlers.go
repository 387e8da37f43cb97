package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
)

type probeRequest struct {
	WorkspaceID   int64           `json:"workspace_id"`
	AgentID       int64           `json:"agent_id"`
	Type          string          `json:"type"`
	Enabled       *bool           `json:"enabled"`
	IntervalSec   *int            `json:"interval_sec"`
	TimeoutSec    *int            `json:"timeout_sec"`
	Count         *int            `json:"count"`
	DurationSec   *int            `json:"duration_sec"`
	Server        *bool           `json:"server"`
	Targets       []string        `json:"targets"`
	AgentTargets  []int64         `json:"agent_targets"`
	Labels        json.RawMessage `json:"labels"`
	Metadata      json.RawMessage `json:"metadata"`
	Bidirectional bool            `json:"bidirectional"`

	ReplaceTargets      *[]string `json:"replace_targets"`
	ReplaceAgentTargets *[]int64  `json:"replace_agent_targets"`
}

// checkScope refuses a body whose workspace_id/agent_id contradict the path.
func (req probeRequest) checkScope(r *http.Request) error {
	if req.WorkspaceID != 0 && req.WorkspaceID != currentWorkspace(r).ID {
		return apperr.Invalidf("workspace_id %d in the body does not match the path", req.WorkspaceID)
	}
	if req.AgentID != 0 && req.AgentID != currentAgent(r).ID {
		return apperr.Invalidf("agent_id %d in the body does not match the path", req.AgentID)
	}
	return nil
}

// pathProbeID reads {probeID}.
func pathProbeID(r *http.Request) (int64, error) { return pathID(r, "probeID") }

func (a *API) listProbes(w http.ResponseWriter, r *http.Request) error {
	probeList, err := probes.ListByAgent(r.Context(), a.db, currentWorkspace(r).ID, currentAgent(r).ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[probes.Probe]{Data: probeList})
}

func (a *API) createProbe(w http.ResponseWriter, r *http.Request) error {
	var req probeRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := req.checkScope(r); err != nil {
		return err
	}
	p, changed, err := a.probes.Create(r.Context(), currentWorkspace(r).ID, currentAgent(r).ID, probes.Spec{
		Type: req.Type, Enabled: req.Enabled, IntervalSec: req.IntervalSec, TimeoutSec: req.TimeoutSec, Count: req.Count,
		DurationSec: req.DurationSec, Server: req.Server, Targets: req.Targets, AgentTargets: req.AgentTargets,
		Labels: req.Labels, Metadata: req.Metadata, Bidirectional: req.Bidirectional,
	})
	if err != nil {
		return err
	}
	a.events.ProbesChanged(changed)
	return writeJSON(w, http.StatusCreated, p)
}

func (a *API) getProbe(w http.ResponseWriter, r *http.Request) error {
	id, err := pathProbeID(r)
	if err != nil {
		return err
	}
	p, err := probes.Get(r.Context(), a.db, currentWorkspace(r).ID, currentAgent(r).ID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (a *API) updateProbe(w http.ResponseWriter, r *http.Request) error {
	id, err := pathProbeID(r)
	if err != nil {
		return err
	}
	var req probeRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := req.checkScope(r); err != nil {
		return err
	}
	var typ *string
	if req.Type != "" {
		typ = &req.Type
	}
	p, changed, err := a.probes.Update(r.Context(), currentWorkspace(r).ID, currentAgent(r).ID, id, probes.Patch{
		Type: typ, Enabled: req.Enabled, IntervalSec: req.IntervalSec, TimeoutSec: req.TimeoutSec, Count: req.Count,
		DurationSec: req.DurationSec, Server: req.Server, Labels: req.Labels, Metadata: req.Metadata,
		ReplaceTargets: req.ReplaceTargets, ReplaceAgentTargets: req.ReplaceAgentTargets,
	})
	if err != nil {
		return err
	}
	a.events.ProbesChanged(changed)
	return writeJSON(w, http.StatusOK, p)
}

func (a *API) deleteProbe(w http.ResponseWriter, r *http.Request) error {
	id, err := pathProbeID(r)
	if err != nil {
		return err
	}
	changed, err := a.probes.Delete(r.Context(), currentWorkspace(r).ID, currentAgent(r).ID, id)
	if err != nil {
		return err
	}
	a.events.ProbesChanged(changed)
	return writeJSON(w, http.StatusOK, ok)
}

type copyRequest struct {
	SourceAgentID  int64    `json:"source_agent_id"`
	DestAgentIDs   []int64  `json:"dest_agent_ids"`
	WorkspaceID    int64    `json:"workspace_id"`
	ProbeIDs       []int64  `json:"probe_ids"`
	ProbeTypes     []string `json:"probe_types"`
	MatchTargets   bool     `json:"match_targets"`
	SkipDuplicates *bool    `json:"skip_duplicates"`
}

// copyProbes serves both copy paths; on the agent-scoped one the path's
// agent is the source and a contradicting source_agent_id is refused.
func (a *API) copyProbes(w http.ResponseWriter, r *http.Request) error {
	var req copyRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	ws := currentWorkspace(r)
	if req.WorkspaceID != 0 && req.WorkspaceID != ws.ID {
		return apperr.Invalidf("workspace_id %d in the body does not match the path", req.WorkspaceID)
	}
	if v := r.PathValue("agentID"); v != "" {
		pathAgent, err := pathID(r, "agentID")
		if err != nil {
			return err
		}
		if req.SourceAgentID != 0 && req.SourceAgentID != pathAgent {
			return apperr.Invalidf("source_agent_id %d does not match the agent %d in the path", req.SourceAgentID, pathAgent)
		}
		req.SourceAgentID = pathAgent
	}
	if req.SourceAgentID <= 0 {
		return apperr.Invalidf("source_agent_id is required")
	}
	skip := req.SkipDuplicates == nil || *req.SkipDuplicates
	report, changed, err := a.probes.Copy(r.Context(), ws.ID, probes.CopyRequest{
		SourceAgentID: req.SourceAgentID, DestAgentIDs: req.DestAgentIDs, ProbeIDs: req.ProbeIDs,
		ProbeTypes: req.ProbeTypes, MatchTargets: req.MatchTargets, SkipDuplicates: skip,
	})
	if err != nil {
		return err
	}
	a.events.ProbesChanged(changed)
	return writeJSON(w, http.StatusOK, report)
}

// similarProbes finds probes sharing a target with the one in the path.
func (a *API) similarProbes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathProbeID(r)
	if err != nil {
		return err
	}
	sameType, err := queryBool(r, "sameType", true)
	if err != nil {
		return err
	}
	includeSelf, err := queryBool(r, "includeSelf", false)
	if err != nil {
		return err
	}
	ws := currentWorkspace(r)
	ref, err := probes.GetInWorkspace(r.Context(), a.db, ws.ID, id)
	if err != nil {
		return err
	}
	similar, err := probes.Similar(r.Context(), a.db, ws.ID, ref, sameType, includeSelf)
	if err != nil {
		return err
	}
	withLatest, err := queryBool(r, "latest", false)
	if err != nil {
		return err
	}
	if !withLatest {
		return writeJSON(w, http.StatusOK, map[string]any{"probe": ref, "data": similar})
	}
	type probeWithLatest struct {
		probes.Probe
		Latest *probedata.Row `json:"latest"`
	}
	out := make([]probeWithLatest, 0, len(similar))
	for _, p := range similar {
		rows, err := a.data.Find(r.Context(), probedata.Query{WorkspaceID: ws.ID, ProbeID: &p.ID, Limit: 1})
		if err != nil {
			return storeUnavailable(err)
		}
		item := probeWithLatest{Probe: p}
		if len(rows) > 0 {
			item.Latest = &rows[0]
		}
		out = append(out, item)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"probe": ref, "data": out})
}

// queryBool parses an optional boolean query parameter.
func queryBool(r *http.Request, name string, def bool) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Invalidf("query parameter %s=%q must be true or false", name, v)
	}
	return b, nil
}
