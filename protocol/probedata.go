package protocol

import (
	"encoding/json"
	"time"
)

// ProbeData is one probe result as an agent posts it in probe_post
// (PROTOCOL.md §5). The controller adds the reporting agent, received time and
// owner itself; it never trusts the body for them.
type ProbeData struct {
	// ProbeID is 0 for the virtual probes (NETINFO, SYSINFO, ...); results of
	// an AGENT probe's expansion carry the AGENT probe's id.
	ProbeID         int64     `json:"probe_id"`
	Triggered       bool      `json:"triggered"`
	TriggeredReason string    `json:"triggered_reason"`
	CreatedAt       time.Time `json:"created_at"` // the agent's clock
	Type            string    `json:"type"`       // the result type, never AGENT
	// Payload is the type-specific result exactly as received; decoding keeps
	// its bytes unchanged so it can be stored losslessly.
	Payload         json.RawMessage `json:"payload"`
	Target          string          `json:"target,omitempty"`
	TargetAgent     int64           `json:"target_agent,omitempty"` // 0 means none
	SourceIP        string          `json:"source_ip,omitempty"`
	SourceInterface string          `json:"source_interface,omitempty"`
	// UID is unique per result (our agent only), so a result resent after a
	// lost ack is stored once.
	UID string `json:"uid,omitempty"`
}
