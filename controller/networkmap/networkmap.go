// Package networkmap draws a workspace as a graph for the panel
// (CONTRACT §6b): agents, literal targets and MTR hops are nodes; probes
// are edges carrying the latency and loss of their newest result. Builder
// draws the map on request; Notifier publishes it to panel sockets when
// its shape changes, at most once per interval per workspace.
package networkmap

import "time"

// Map is the network map of one workspace.
type Map struct {
	WorkspaceID int64     `json:"workspace_id"`
	GeneratedAt time.Time `json:"generated_at"`
	Nodes       []Node    `json:"nodes"`
	Edges       []Edge    `json:"edges"`
}

// Node types.
const (
	NodeAgent  = "agent"
	NodeTarget = "target"
	NodeHop    = "hop"
)

// Node is an agent ("agent:<id>"), a literal target ("target:<target>") or
// an MTR hop ("hop:<ip>").
type Node struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Label   string `json:"label"`
	AgentID int64  `json:"agent_id,omitempty"` // agents only
	Online  *bool  `json:"online,omitempty"`   // agents only: connected to the controller now
}

// Edge is a probe from an agent to its target, or one step of an MTR path.
// Latency and loss are null when no result has them.
type Edge struct {
	From      string   `json:"from"`
	To        string   `json:"to"`
	ProbeID   int64    `json:"probe_id"`
	ProbeType string   `json:"probe_type"`
	LatencyMs *float64 `json:"latency_ms"`
	LossPct   *float64 `json:"loss_pct"`
}
