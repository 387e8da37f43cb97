package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol"
)

// ReverseOfKey links a reverse probe to its primary in metadata.
const ReverseOfKey = "reverse_of"

// Service writes probe configuration.
type Service struct {
	db          *store.DB
	maxPerAgent int
}

// NewService returns the probe service; maxPerAgent 0 means unlimited.
func NewService(db *store.DB, maxPerAgent int) *Service {
	return &Service{db: db, maxPerAgent: maxPerAgent}
}

// Changed lists the agents whose probe lists a write changed, so callers
// can push fresh lists to connected agents.
type Changed []int64

func (c *Changed) add(ids ...int64) {
	for _, id := range ids {
		if !slices.Contains(*c, id) {
			*c = append(*c, id)
		}
	}
}

// Create validates spec and stores it as a probe of agentID; with
// Bidirectional it also creates (or links) one reverse probe per target
// agent, all in one transaction.
func (s *Service) Create(ctx context.Context, workspaceID, agentID int64, spec Spec) (Probe, Changed, error) {
	d, err := spec.validate()
	if err != nil {
		return Probe{}, nil, err
	}
	var p Probe
	var changed Changed
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// Every agent that gets a probe is locked, so racing creates see
		// each other's probes in their quota and duplicate checks.
		owners := []int64{agentID}
		if spec.Bidirectional {
			owners = append(owners, d.agents...)
		}
		if err := tx.Lock(ctx, "agents", owners...); err != nil {
			return err
		}
		if p, err = s.insert(ctx, tx, workspaceID, agentID, d); err != nil {
			return err
		}
		// Target agents' lists change too (e.g. a TRAFFICSIM server's allowed senders).
		changed.add(agentID)
		changed.add(d.agents...)
		if !spec.Bidirectional {
			return nil
		}
		for _, peer := range d.agents {
			if err := s.ensureReverse(ctx, tx, p, peer); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Probe{}, nil, err
	}
	return p, changed, nil
}

// insert checks ownership, targets, quota and duplicates, then stores d.
func (s *Service) insert(ctx context.Context, tx *store.Tx, workspaceID, agentID int64, d draft) (Probe, error) {
	if err := s.checkTargets(ctx, tx, workspaceID, agentID, d); err != nil {
		return Probe{}, err
	}
	if s.maxPerAgent > 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM probes WHERE agent_id = ? AND deleted_at IS NULL`, agentID).Scan(&n); err != nil {
			return Probe{}, fmt.Errorf("count probes: %w", err)
		}
		if n >= s.maxPerAgent {
			return Probe{}, apperr.QuotaReached("probes per agent", s.maxPerAgent)
		}
	}
	if err := checkDuplicate(ctx, tx, agentID, 0, d); err != nil {
		return Probe{}, err
	}
	p := d.probe
	now := store.Now()
	p.WorkspaceID, p.AgentID, p.CreatedAt, p.UpdatedAt = workspaceID, agentID, now, now
	err := tx.QueryRow(ctx, `INSERT INTO probes (workspace_id, agent_id, type, enabled, interval_sec, timeout_sec, count,
		duration_sec, server, labels, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		workspaceID, agentID, p.Type, p.Enabled, p.IntervalSec, p.TimeoutSec, p.Count, p.DurationSec, p.Server,
		jsonText(p.Labels), jsonText(p.Metadata), store.Millis(now), store.Millis(now)).Scan(&p.ID)
	if err != nil {
		return Probe{}, fmt.Errorf("insert probe: %w", err)
	}
	if p.Targets, err = insertTargets(ctx, tx, p.ID, d, now); err != nil {
		return Probe{}, err
	}
	return p, nil
}

func jsonText(o protocol.JSONObject) string {
	b, _ := json.Marshal(o)
	return string(b)
}

func insertTargets(ctx context.Context, tx *store.Tx, probeID int64, d draft, now time.Time) ([]protocol.ProbeTarget, error) {
	targets := []protocol.ProbeTarget{}
	ms := store.Millis(now)
	add := func(target string, agentID *int64) error {
		t := protocol.ProbeTarget{ProbeID: probeID, Target: target, AgentID: agentID, CreatedAt: now, UpdatedAt: now}
		if err := tx.QueryRow(ctx, `INSERT INTO probe_targets (probe_id, target, agent_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, probeID, target, agentID, ms, ms).Scan(&t.ID); err != nil {
			return fmt.Errorf("insert probe target: %w", err)
		}
		targets = append(targets, t)
		return nil
	}
	for _, lit := range d.literals {
		if err := add(lit, nil); err != nil {
			return nil, err
		}
	}
	for _, id := range d.agents {
		if err := add("", &id); err != nil {
			return nil, err
		}
	}
	return targets, nil
}

// checkTargets enforces that target agents are live agents of the same
// workspace and never the probe's own agent.
func (s *Service) checkTargets(ctx context.Context, conn store.Conn, workspaceID, agentID int64, d draft) error {
	if slices.Contains(d.agents, agentID) {
		return apperr.Invalidf("a probe cannot target its own agent (%d)", agentID)
	}
	missing, err := firstMissingAgent(ctx, conn, workspaceID, d.agents)
	if err != nil {
		return err
	}
	if missing != 0 {
		return apperr.Invalidf("agent_targets: agent %d is not an agent of this workspace", missing)
	}
	return nil
}

// firstMissingAgent returns the first of ids that is not a live agent of the
// workspace, or 0 when all are.
func firstMissingAgent(ctx context.Context, conn store.Conn, workspaceID int64, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := []any{workspaceID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := conn.Query(ctx, `SELECT id FROM agents WHERE workspace_id = ? AND deleted_at IS NULL AND id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("check agents: %w", err)
	}
	defer rows.Close()
	found := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("check agents: %w", err)
		}
		found[id] = true
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("check agents: %w", err)
	}
	for _, id := range ids {
		if !found[id] {
			return id, nil
		}
	}
	return 0, nil
}

// checkDuplicate refuses a probe of the same agent and type that shares a
// target with d (DNS probes against different servers are not duplicates).
// except is a probe id to ignore (the probe being updated).
func checkDuplicate(ctx context.Context, conn store.Conn, agentID, except int64, d draft) error {
	if len(d.literals)+len(d.agents) == 0 {
		return checkTargetlessDuplicate(ctx, conn, agentID, except, d)
	}
	var conds []string
	args := []any{agentID, d.probe.Type, except}
	if len(d.literals) > 0 {
		conds = append(conds, `t.target IN (`+placeholders(len(d.literals))+`)`)
		for _, l := range d.literals {
			args = append(args, l)
		}
	}
	if len(d.agents) > 0 {
		conds = append(conds, `t.agent_id IN (`+placeholders(len(d.agents))+`)`)
		for _, a := range d.agents {
			args = append(args, a)
		}
	}
	where := conds[0]
	if len(conds) == 2 {
		where = conds[0] + " OR " + conds[1]
	}
	rows, err := conn.Query(ctx, `SELECT DISTINCT p.id, p.metadata FROM probes p JOIN probe_targets t ON t.probe_id = p.id
		WHERE p.agent_id = ? AND p.type = ? AND p.id <> ? AND p.deleted_at IS NULL AND (`+where+`)`, args...)
	if err != nil {
		return fmt.Errorf("check duplicate probes: %w", err)
	}
	defer rows.Close()
	server := metadataField[string](d.probe.Metadata, "dns_server")
	for rows.Next() {
		var id int64
		var meta string
		if err := rows.Scan(&id, &meta); err != nil {
			return fmt.Errorf("check duplicate probes: %w", err)
		}
		if d.probe.Type == protocol.TypeDNS && metadataField[string](protocol.JSONObject(meta), "dns_server") != server {
			continue
		}
		return apperr.Conflictf("a %s probe with a shared target already exists on this agent (probe %d)", d.probe.Type, id)
	}
	return rows.Err()
}

// checkTargetlessDuplicate refuses a second probe without targets of the
// same type (and, for TRAFFICSIM, the same server flag) on one agent: two
// SYSINFO probes, or two TRAFFICSIM servers, would measure the same thing.
func checkTargetlessDuplicate(ctx context.Context, conn store.Conn, agentID, except int64, d draft) error {
	var id int64
	err := conn.QueryRow(ctx, `SELECT p.id FROM probes p WHERE p.agent_id = ? AND p.type = ? AND p.server = ? AND p.id <> ?
		AND p.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM probe_targets t WHERE t.probe_id = p.id) ORDER BY p.id LIMIT 1`,
		agentID, d.probe.Type, d.probe.Server, except).Scan(&id)
	switch {
	case store.IsNoRows(err):
		return nil
	case err != nil:
		return fmt.Errorf("check duplicate probes: %w", err)
	}
	return apperr.Conflictf("a %s probe without targets already exists on this agent (probe %d)", d.probe.Type, id)
}

// ensureReverse gives peer a probe of primary's type pointing back at the
// primary's agent, linked by metadata.reverse_of: an existing identical
// probe is linked, otherwise one is created with the primary's settings.
func (s *Service) ensureReverse(ctx context.Context, tx *store.Tx, primary Probe, peer int64) error {
	var existing int64
	var meta string
	err := tx.QueryRow(ctx, `SELECT p.id, p.metadata FROM probes p JOIN probe_targets t ON t.probe_id = p.id
		WHERE p.agent_id = ? AND p.type = ? AND t.agent_id = ? AND p.deleted_at IS NULL ORDER BY p.id LIMIT 1`,
		peer, primary.Type, primary.AgentID).Scan(&existing, &meta)
	switch {
	case err == nil:
		linked := withMetadata(protocol.JSONObject(meta), ReverseOfKey, primary.ID)
		_, err := tx.Exec(ctx, `UPDATE probes SET metadata = ?, updated_at = ? WHERE id = ?`, jsonText(linked), store.Millis(store.Now()), existing)
		if err != nil {
			return fmt.Errorf("link reverse probe: %w", err)
		}
		return nil
	case !store.IsNoRows(err):
		return fmt.Errorf("find reverse probe: %w", err)
	}
	rev := draft{probe: primary, agents: []int64{primary.AgentID}}
	rev.probe.Targets = nil
	rev.probe.Metadata = withMetadata(primary.Metadata, ReverseOfKey, primary.ID)
	if _, err := s.insert(ctx, tx, primary.WorkspaceID, peer, rev); err != nil {
		return fmt.Errorf("reverse probe on agent %d: %w", peer, err)
	}
	return nil
}
