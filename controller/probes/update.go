package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Patch is a partial probe update; nil fields are left alone.
// ReplaceTargets / ReplaceAgentTargets replace that kind of target. Type
// may only repeat the probe's own type (clients that send back the whole
// probe); a probe's type never changes.
type Patch struct {
	Type                *string
	Enabled             *bool
	IntervalSec         *int
	TimeoutSec          *int
	Count               *int
	DurationSec         *int
	Server              *bool
	Labels              json.RawMessage
	Metadata            json.RawMessage
	ReplaceTargets      *[]string
	ReplaceAgentTargets *[]int64
}

// specOf describes an existing probe as a Spec, so a patch is validated by
// the same rules as a create.
func specOf(p Probe) Spec {
	return Spec{
		Type: p.Type, Enabled: &p.Enabled, IntervalSec: &p.IntervalSec, TimeoutSec: &p.TimeoutSec, Count: &p.Count,
		DurationSec: &p.DurationSec, Server: &p.Server, Targets: literalTargets(p), AgentTargets: agentTargets(p),
		Labels: json.RawMessage(p.Labels), Metadata: json.RawMessage(p.Metadata),
	}
}

// Update applies a patch to a probe of agentID.
func (s *Service) Update(ctx context.Context, workspaceID, agentID, probeID int64, patch Patch) (Probe, Changed, error) {
	var out Probe
	var changed Changed
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "agents", agentID); err != nil {
			return err
		}
		cur, err := Get(ctx, tx, workspaceID, agentID, probeID)
		if err != nil {
			return err
		}
		if patch.Type != nil && !strings.EqualFold(strings.TrimSpace(*patch.Type), cur.Type) {
			return apperr.Invalidf("type: a probe's type cannot be changed (%s); create a new probe", cur.Type)
		}
		spec := specOf(cur)
		for _, f := range []struct{ in, out **int }{
			{&patch.IntervalSec, &spec.IntervalSec}, {&patch.TimeoutSec, &spec.TimeoutSec},
			{&patch.Count, &spec.Count}, {&patch.DurationSec, &spec.DurationSec},
		} {
			if *f.in != nil {
				*f.out = *f.in
			}
		}
		if patch.Enabled != nil {
			spec.Enabled = patch.Enabled
		}
		if patch.Server != nil {
			spec.Server = patch.Server
		}
		if patch.Labels != nil {
			spec.Labels = patch.Labels
		}
		if patch.Metadata != nil {
			spec.Metadata = patch.Metadata
		}
		retarget := patch.ReplaceTargets != nil || patch.ReplaceAgentTargets != nil
		if patch.ReplaceTargets != nil {
			spec.Targets = *patch.ReplaceTargets
		}
		if patch.ReplaceAgentTargets != nil {
			spec.AgentTargets = *patch.ReplaceAgentTargets
		}
		d, err := spec.validate()
		if err != nil {
			return err
		}
		// Agent targets are checked when they are replaced: a probe whose
		// target agent was deleted since stays editable.
		if patch.ReplaceAgentTargets != nil {
			if err := s.checkTargets(ctx, tx, workspaceID, agentID, d); err != nil {
				return err
			}
		}
		if err := checkDuplicate(ctx, tx, agentID, probeID, d); err != nil {
			return err
		}
		now := store.Now()
		p := d.probe
		_, err = tx.Exec(ctx, `UPDATE probes SET enabled = ?, interval_sec = ?, timeout_sec = ?, count = ?, duration_sec = ?,
			server = ?, labels = ?, metadata = ?, updated_at = ? WHERE id = ?`,
			p.Enabled, p.IntervalSec, p.TimeoutSec, p.Count, p.DurationSec, p.Server, jsonText(p.Labels), jsonText(p.Metadata),
			store.Millis(now), probeID)
		if err != nil {
			return fmt.Errorf("update probe %d: %w", probeID, err)
		}
		changed.add(agentID)
		if retarget {
			changed.add(agentTargets(cur)...)
			changed.add(d.agents...)
			if _, err := tx.Exec(ctx, `DELETE FROM probe_targets WHERE probe_id = ?`, probeID); err != nil {
				return fmt.Errorf("replace probe targets: %w", err)
			}
			if _, err := insertTargets(ctx, tx, probeID, d, now); err != nil {
				return err
			}
		}
		out, err = Get(ctx, tx, workspaceID, agentID, probeID)
		return err
	})
	return out, changed, err
}

// Delete soft-deletes a probe; its reverse partner, if any, stays.
func (s *Service) Delete(ctx context.Context, workspaceID, agentID, probeID int64) (Changed, error) {
	p, err := Get(ctx, s.db, workspaceID, agentID, probeID)
	if err != nil {
		return nil, err
	}
	now := store.Millis(store.Now())
	if _, err := s.db.Exec(ctx, `UPDATE probes SET deleted_at = ?, updated_at = ? WHERE id = ?`, now, now, probeID); err != nil {
		return nil, fmt.Errorf("delete probe %d: %w", probeID, err)
	}
	changed := Changed{agentID}
	changed.add(agentTargets(p)...)
	return changed, nil
}
