package probedata

import (
	"encoding/json"
	"time"
)

// MarshalJSON writes the ProbeData JSON of the API (CONTRACT §6): the
// agent's payload as received, plus what the controller knows of it.
func (r Row) MarshalJSON() ([]byte, error) {
	payload := r.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	return json.Marshal(struct {
		ID              int64           `json:"id"`
		ProbeID         int64           `json:"probe_id"`
		ProbeAgentID    int64           `json:"probe_agent_id"`
		AgentID         int64           `json:"agent_id"`
		Type            string          `json:"type"`
		Target          string          `json:"target"`
		TargetAgent     int64           `json:"target_agent"`
		Triggered       bool            `json:"triggered"`
		TriggeredReason string          `json:"triggered_reason"`
		CreatedAt       time.Time       `json:"created_at"`
		ReceivedAt      time.Time       `json:"received_at"`
		Payload         json.RawMessage `json:"payload"`
	}{r.ID, r.ProbeID, r.ProbeAgentID, r.AgentID, r.Type, r.Target, r.TargetAgent, r.Triggered, r.TriggeredReason,
		r.CreatedAt.UTC(), r.ReceivedAt.UTC(), payload})
}
