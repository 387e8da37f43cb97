package networkmap

import (
	"context"
	"slices"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/protocol"
)

// latestLimit bounds the probes one LatestPerProbe query returns.
const latestLimit = 10000

// results holds the newest result of each (probe, target, result type).
type results map[resultKey]probedata.Row

type resultKey struct {
	probeID int64
	target  int // index in the probe's targets
	typ     string
}

// of lists the newest results of one target of p by result type.
func (r results) of(p probes.Probe, target int) map[string]probedata.Row {
	out := map[string]probedata.Row{}
	for _, typ := range protocol.ResultTypes(p.Type) {
		if row, ok := r[resultKey{p.ID, target, typ}]; ok {
			out[typ] = row
		}
	}
	return out
}

// newestResults finds the newest results of the listed probes: one
// LatestPerProbe query per result type covers every single-target probe;
// probes with several targets need a query per target and type, because
// the newest row of the probe belongs to only one of them.
func newestResults(ctx context.Context, data probedata.Store, workspaceID int64, list []probes.Probe) (results, error) {
	out := results{}
	single := map[int64]bool{}
	var types []string
	for _, p := range list {
		if len(p.Targets) != 1 {
			continue
		}
		single[p.ID] = true
		for _, typ := range protocol.ResultTypes(p.Type) {
			if !slices.Contains(types, typ) {
				types = append(types, typ)
			}
		}
	}
	for _, typ := range types {
		rows, err := data.LatestPerProbe(ctx, probedata.Query{WorkspaceID: workspaceID, Type: typ, Limit: latestLimit})
		if err != nil {
			return nil, unavailable(err)
		}
		for _, r := range rows {
			if single[r.ProbeID] {
				out[resultKey{r.ProbeID, 0, typ}] = r
			}
		}
	}
	for _, p := range list {
		if len(p.Targets) < 2 {
			continue
		}
		for i, t := range p.Targets {
			for _, typ := range protocol.ResultTypes(p.Type) {
				q := probedata.Query{WorkspaceID: workspaceID, ProbeID: &p.ID, Type: typ, Limit: 1}
				if t.AgentID != nil {
					q.TargetAgent = *t.AgentID
				} else {
					q.Target = t.Target
				}
				rows, err := data.Find(ctx, q)
				if err != nil {
					return nil, unavailable(err)
				}
				if len(rows) > 0 {
					out[resultKey{p.ID, i, typ}] = rows[0]
				}
			}
		}
	}
	return out, nil
}

// unavailable marks a probe-data store failure (503 at the API).
func unavailable(err error) error {
	return apperr.Unavailablef(err, "probe data store unavailable")
}
