package alerts

import (
	"encoding/json"
	"time"
)

// Alert statuses.
const (
	Active       = "active"
	Acknowledged = "acknowledged"
	Resolved     = "resolved"
)

// Alert is one firing of a rule for one state key (Alert JSON). Probe
// fields are null for agent-offline alerts and for results of no probe.
type Alert struct {
	ID             int64      `json:"id"`
	WorkspaceID    int64      `json:"workspace_id"`
	RuleID         int64      `json:"rule_id"`
	ProbeID        *int64     `json:"probe_id"`
	AgentID        int64      `json:"agent_id"`
	ProbeType      *string    `json:"probe_type"` // the result type measured (MTR, PING… of an AGENT probe)
	ProbeName      *string    `json:"probe_name"`
	ProbeTarget    *string    `json:"probe_target"`
	AgentName      string     `json:"agent_name"`
	Metric         string     `json:"metric"`
	Value          float64    `json:"value"`
	Threshold      float64    `json:"threshold"`
	Severity       string     `json:"severity"`
	Status         string     `json:"status"`
	Message        string     `json:"message"`
	TriggeredAt    time.Time  `json:"triggered_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy *int64     `json:"acknowledged_by"`
	ResolvedAt     *time.Time `json:"resolved_at"`

	key stateKey
}

// Webhook events.
const (
	EventTriggered = "triggered"
	EventResolved  = "resolved"
)

// webhookBody is the Alert JSON plus the event that caused the call.
func webhookBody(a Alert, event string) ([]byte, error) {
	return json.Marshal(struct {
		Alert
		Event string `json:"event"`
	}{a, event})
}
