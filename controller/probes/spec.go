package probes

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol"
)

// Spec is a probe as an operator describes it; nil fields take defaults.
type Spec struct {
	Type          string
	Enabled       *bool
	IntervalSec   *int
	TimeoutSec    *int
	Count         *int
	DurationSec   *int
	Server        *bool
	Targets       []string
	AgentTargets  []int64
	Labels        json.RawMessage
	Metadata      json.RawMessage
	Bidirectional bool
}

// draft is a validated, normalised Spec ready to store.
type draft struct {
	probe    Probe // settings only: no ids, no targets
	literals []string
	agents   []int64
}

// validate checks a spec against its type's rules and fills defaults.
func (s Spec) validate() (draft, error) {
	typ := strings.ToUpper(strings.TrimSpace(s.Type))
	if typ == "" {
		return draft{}, apperr.Invalidf("type is required")
	}
	rule, err := ruleFor(typ)
	if err != nil {
		return draft{}, err
	}
	d := draft{probe: Probe{Type: typ, Enabled: true, IntervalSec: DefaultInterval, TimeoutSec: DefaultTimeout, Count: rule.defaultCount}}
	p := &d.probe
	for _, set := range []struct {
		field  string
		in     *int
		out    *int
		lo, hi int
	}{
		{"interval_sec", s.IntervalSec, &p.IntervalSec, MinInterval, MaxInterval},
		{"timeout_sec", s.TimeoutSec, &p.TimeoutSec, 1, MaxTimeout},
		{"count", s.Count, &p.Count, 0, MaxCount},
		{"duration_sec", s.DurationSec, &p.DurationSec, 0, MaxDuration},
	} {
		if set.in == nil {
			continue
		}
		if err := checkRange(set.field, *set.in, set.lo, set.hi); err != nil {
			return draft{}, err
		}
		*set.out = *set.in
	}
	if s.Enabled != nil {
		p.Enabled = *s.Enabled
	}
	if s.Server != nil {
		p.Server = *s.Server
	}
	labels, err := store.JSONObject("labels", s.Labels)
	if err != nil {
		return draft{}, err
	}
	metadata, err := store.JSONObject("metadata", s.Metadata)
	if err != nil {
		return draft{}, err
	}
	p.Labels, p.Metadata = protocol.JSONObject(labels), protocol.JSONObject(metadata)

	if len(s.Targets)+len(s.AgentTargets) > maxTargets {
		return draft{}, apperr.Invalidf("a probe may have at most %d targets", maxTargets)
	}
	for _, t := range s.Targets {
		if rule.literal == nil {
			return draft{}, apperr.Invalidf("%s probes take no literal targets", typ)
		}
		norm, err := rule.literal(t)
		if err != nil {
			return draft{}, err
		}
		if !slices.Contains(d.literals, norm) {
			d.literals = append(d.literals, norm)
		}
	}
	for _, id := range s.AgentTargets {
		if !rule.agentTargets {
			return draft{}, apperr.Invalidf("%s probes cannot target agents", typ)
		}
		if id <= 0 {
			return draft{}, apperr.Invalidf("agent_targets must be positive agent ids")
		}
		if !slices.Contains(d.agents, id) {
			d.agents = append(d.agents, id)
		}
	}
	needsTarget := rule.needsTarget || (typ == protocol.TypeTrafficSim && !p.Server)
	if needsTarget && len(d.literals)+len(d.agents) == 0 {
		return draft{}, apperr.Invalidf("%s probes need at least one target", typ)
	}
	if s.Bidirectional && len(d.agents) == 0 {
		return draft{}, apperr.Invalidf("bidirectional needs agent_targets")
	}
	return d, nil
}

// metadataField reads a field of a metadata object: the zero value when the
// field is absent or of another type.
func metadataField[T any](meta protocol.JSONObject, key string) T {
	var m map[string]json.RawMessage
	var v T
	if json.Unmarshal(meta, &m) == nil {
		_ = json.Unmarshal(m[key], &v)
	}
	return v
}

// withMetadata returns meta with key set to value.
func withMetadata(meta protocol.JSONObject, key string, value any) protocol.JSONObject {
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(meta, &m)
	if value == nil {
		delete(m, key)
	} else {
		raw, _ := json.Marshal(value)
		m[key] = raw
	}
	out, _ := json.Marshal(m)
	return protocol.JSONObject(out)
}
