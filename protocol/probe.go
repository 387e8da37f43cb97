package protocol

import (
	"encoding/json"
	"time"
)

// Probe is one element of the probe list the controller sends in probe_get
// (PROTOCOL.md §4) and the probe JSON of the REST API (CONTRACT.md §5).
type Probe struct {
	ID          int64         `json:"id"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	WorkspaceID int64         `json:"workspace_id"`
	AgentID     int64         `json:"agent_id"` // the agent that runs the probe
	Type        string        `json:"type"`     // one of the Type* constants
	Enabled     bool          `json:"enabled"`
	IntervalSec int           `json:"interval_sec"`
	TimeoutSec  int           `json:"timeout_sec"`
	Count       int           `json:"count"`
	DurationSec int           `json:"duration_sec"`
	Server      bool          `json:"server"` // TRAFFICSIM: listen instead of send
	Labels      JSONObject    `json:"labels"`
	Metadata    JSONObject    `json:"metadata"`
	Targets     []ProbeTarget `json:"targets"`
}

// ProbeTarget is one target of a probe: a literal host/IP/URL, or an agent
// whose public IP the controller fills into Target.
type ProbeTarget struct {
	ID        int64     `json:"id"`
	ProbeID   int64     `json:"probe_id"`
	Target    string    `json:"target"`
	AgentID   *int64    `json:"agent_id"` // null unless the target is an agent
	GroupID   *int64    `json:"group_id"` // null unless grouped
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MarshalJSON writes times in UTC and targets as [] rather than null, as
// deployed agents and the API contract expect.
func (p Probe) MarshalJSON() ([]byte, error) {
	type fields Probe // same fields without this method, so Marshal does not recurse
	out := fields(p)
	out.CreatedAt, out.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if out.Targets == nil {
		out.Targets = []ProbeTarget{}
	}
	return json.Marshal(out)
}

// MarshalJSON writes times in UTC.
func (t ProbeTarget) MarshalJSON() ([]byte, error) {
	type fields ProbeTarget // same fields without this method, so Marshal does not recurse
	out := fields(t)
	out.CreatedAt, out.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return json.Marshal(out)
}
