package probes

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol"
)

// CopyRequest copies probes of a source agent to destination agents.
type CopyRequest struct {
	SourceAgentID int64
	DestAgentIDs  []int64
	ProbeIDs      []int64  // empty: every probe of the source
	ProbeTypes    []string // empty: every type
	// MatchTargets copies only probes that target one of the destination agents.
	MatchTargets bool
	// SkipDuplicates (default true) reports duplicates as skipped; false
	// reports them as errors. Either way nothing is created twice.
	SkipDuplicates bool
}

// CopyResult is the outcome for one (source probe, destination) pair.
type CopyResult struct {
	SourceProbeID int64  `json:"source_probe_id"`
	DestAgentID   int64  `json:"dest_agent_id"`
	NewProbeID    int64  `json:"new_probe_id,omitempty"`
	Skipped       bool   `json:"skipped,omitempty"`
	SkipReason    string `json:"skip_reason,omitempty"`
	Error         string `json:"error,omitempty"`
}

// CopyReport is the answer of a copy.
type CopyReport struct {
	Created int          `json:"created"`
	Skipped int          `json:"skipped"`
	Errors  int          `json:"errors"`
	Results []CopyResult `json:"results"`
}

// Copy runs a copy in one transaction. Request errors (unknown agents,
// agents of another workspace, foreign probe ids) fail it as a whole with
// nothing created; per-pair problems are reported in the results.
func (s *Service) Copy(ctx context.Context, workspaceID int64, req CopyRequest) (CopyReport, Changed, error) {
	report := CopyReport{Results: []CopyResult{}}
	var changed Changed
	if len(req.DestAgentIDs) == 0 {
		return report, nil, apperr.Invalidf("dest_agent_ids must list at least one agent")
	}
	// A destination listed twice is served once.
	var dests []int64
	for _, id := range req.DestAgentIDs {
		if !slices.Contains(dests, id) {
			dests = append(dests, id)
		}
	}
	req.DestAgentIDs = dests
	if slices.Contains(req.DestAgentIDs, req.SourceAgentID) {
		return report, nil, apperr.Invalidf("dest_agent_ids must not include the source agent %d", req.SourceAgentID)
	}
	types := map[string]bool{}
	for _, t := range req.ProbeTypes {
		t = strings.ToUpper(strings.TrimSpace(t))
		if !protocol.IsProbeType(t) {
			return report, nil, apperr.Invalidf("probe_types: %q is not a probe type", t)
		}
		types[t] = true
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		missing, err := firstMissingAgent(ctx, tx, workspaceID, append([]int64{req.SourceAgentID}, req.DestAgentIDs...))
		if err != nil {
			return err
		}
		if missing != 0 {
			return apperr.Invalidf("agent %d is not an agent of this workspace (source_agent_id and dest_agent_ids must be)", missing)
		}
		if err := tx.Lock(ctx, "agents", req.DestAgentIDs...); err != nil {
			return err
		}
		sources, err := ListByAgent(ctx, tx, workspaceID, req.SourceAgentID)
		if err != nil {
			return err
		}
		for _, id := range req.ProbeIDs {
			if !slices.ContainsFunc(sources, func(p Probe) bool { return p.ID == id }) {
				return apperr.Invalidf("probe_ids: probe %d is not a probe of agent %d", id, req.SourceAgentID)
			}
		}
		for _, src := range sources {
			if !selected(src, req, types) {
				continue
			}
			for _, dest := range req.DestAgentIDs {
				res, err := s.copyOne(ctx, tx, workspaceID, src, dest, req.SkipDuplicates)
				if err != nil {
					return err
				}
				report.add(res)
				if res.NewProbeID != 0 {
					changed.add(dest)
					changed.add(agentTargets(src)...)
				}
			}
		}
		return nil
	})
	if err != nil {
		return CopyReport{Results: []CopyResult{}}, nil, err
	}
	return report, changed, nil
}

func (r *CopyReport) add(res CopyResult) {
	switch {
	case res.Skipped:
		r.Skipped++
	case res.Error != "":
		r.Errors++
	default:
		r.Created++
	}
	r.Results = append(r.Results, res)
}

func selected(p Probe, req CopyRequest, types map[string]bool) bool {
	if len(req.ProbeIDs) > 0 && !slices.Contains(req.ProbeIDs, p.ID) {
		return false
	}
	if len(types) > 0 && !types[p.Type] {
		return false
	}
	if req.MatchTargets && !slices.ContainsFunc(agentTargets(p), func(id int64) bool { return slices.Contains(req.DestAgentIDs, id) }) {
		return false
	}
	return true
}

// copyOne copies src to dest. Domain problems become the result; only
// storage failures are returned as errors (and abort the copy).
func (s *Service) copyOne(ctx context.Context, tx *store.Tx, workspaceID int64, src Probe, dest int64, skipDuplicates bool) (CopyResult, error) {
	res := CopyResult{SourceProbeID: src.ID, DestAgentID: dest}
	if slices.Contains(agentTargets(src), dest) {
		res.Skipped, res.SkipReason = true, "would target itself"
		return res, nil
	}
	spec := specOf(src)
	spec.Metadata = json.RawMessage(withMetadata(src.Metadata, ReverseOfKey, nil))
	d, err := spec.validate()
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	p, err := s.insert(ctx, tx, workspaceID, dest, d)
	e, isApp := apperr.As(err)
	switch {
	case err == nil:
		res.NewProbeID = p.ID
	case isApp && e.Kind == apperr.Conflict && skipDuplicates:
		res.Skipped, res.SkipReason = true, "duplicate exists"
	case isApp && e.Kind == apperr.Conflict:
		res.Error = "duplicate exists"
	case isApp:
		res.Error = e.Msg
	default:
		return res, err
	}
	return res, nil
}
