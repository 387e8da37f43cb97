package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// describe builds the alert a fire transition opens, with the names an
// operator reads (CONTRACT §7). Names are looked up only when an alert
// fires, never per result.
func (s *Service) describe(ctx context.Context, tr transition) (Alert, error) {
	spec, k := tr.spec, tr.key
	a := Alert{WorkspaceID: tr.workspaceID, RuleID: spec.ID, AgentID: k.agentID, Metric: spec.Metric, Value: tr.value,
		Threshold: spec.Threshold, Severity: spec.Severity, Status: Active, TriggeredAt: tr.at, key: k}
	name, err := s.agentName(ctx, tr.workspaceID, k.agentID)
	if err != nil {
		return Alert{}, err
	}
	a.AgentName = name
	if spec.Metric == metrics.Offline {
		a.Message = fmt.Sprintf("agent %s has not been seen for %s (%s %s)", name,
			withUnit(tr.value, spec.Metric), spec.Operator, withUnit(spec.Threshold, spec.Metric))
		return a, nil
	}
	a.ProbeType = &k.resultType
	if k.probeID != 0 {
		a.ProbeID = &k.probeID
	}
	probeName, target, err := s.probeLabels(ctx, tr.workspaceID, k)
	if err != nil {
		return Alert{}, err
	}
	a.ProbeName = &probeName
	if target != "" {
		a.ProbeTarget = &target
	}
	a.Message = fmt.Sprintf("%s is %s (%s %s) on %s, measured by %s", spec.Metric,
		withUnit(tr.value, spec.Metric), spec.Operator, withUnit(spec.Threshold, spec.Metric), probeName, name)
	return a, nil
}

// agentName is an agent's name, or "agent <id>" when it is gone.
func (s *Service) agentName(ctx context.Context, workspaceID, agentID int64) (string, error) {
	ag, err := agents.Get(ctx, s.db, workspaceID, agentID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return "agent " + strconv.FormatInt(agentID, 10), nil
	case err != nil:
		return "", err
	}
	return ag.Name, nil
}

// probeLabels returns the probe_name and probe_target of a result series:
// the probe's labels.name, else "<TYPE> <first target>"; the target is the
// result's own, else the probe's first. Results of no probe (SYSINFO and
// the like) are named by their type.
func (s *Service) probeLabels(ctx context.Context, workspaceID int64, k stateKey) (name, target string, err error) {
	target = k.target
	if k.probeID == 0 {
		return strings.TrimSpace(k.resultType + " " + target), target, nil
	}
	p, err := probes.GetInWorkspace(ctx, s.db, workspaceID, k.probeID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return strings.TrimSpace(k.resultType + " " + target), target, nil
	case err != nil:
		return "", "", err
	}
	first := ""
	if len(p.Targets) > 0 {
		if first, err = s.targetLabel(ctx, workspaceID, p.Targets[0]); err != nil {
			return "", "", err
		}
	}
	if target == "" {
		target = first
	}
	var labels struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(p.Labels, &labels) == nil && strings.TrimSpace(labels.Name) != "" {
		return strings.TrimSpace(labels.Name), target, nil
	}
	return strings.TrimSpace(p.Type + " " + first), target, nil
}

// targetLabel names a probe target: its host, or the target agent's name.
func (s *Service) targetLabel(ctx context.Context, workspaceID int64, t protocol.ProbeTarget) (string, error) {
	if t.AgentID == nil {
		return t.Target, nil
	}
	return s.agentName(ctx, workspaceID, *t.AgentID)
}

// withUnit formats a metric value, to two decimals at most, with its unit
// ("12.5%", "30 ms", "4.39").
func withUnit(v float64, metric string) string {
	num := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	switch unit := catalogue[metric].Unit; unit {
	case "":
		return num
	case "%":
		return num + "%"
	default:
		return num + " " + unit
	}
}
