package neffos

import "strings"

// Handshake rejection texts the controller sends with ServerReject. Deployed
// agents classify them by substring (see ClassifyRejection), so each names its
// class once and carries no other status-like digits.
const (
	RejectInvalidPSK   = "unauthorized: invalid psk"
	RejectAgentDeleted = "agent_deleted: agent has been removed from workspace"
	RejectServerError  = "service unavailable: server_error"
	RejectRateLimited  = "service unavailable: rate_limited"
)

// Rejection is what an agent does about a handshake rejection.
type Rejection int

const (
	// RejectionOther: unrecognised text; retry with backoff.
	RejectionOther Rejection = iota
	// RejectionDeleted: the agent was removed; it uninstalls itself.
	RejectionDeleted
	// RejectionUnavailable: the controller is in trouble; retry with backoff.
	RejectionUnavailable
	// RejectionUnauthorized: credentials refused; many in a row deactivate the agent.
	RejectionUnauthorized
)

// rejectionMarkers lists, in the order deployed agents test them, the
// lower-case substrings that put a rejection text in each class. The order
// matters: "service unavailable" must win over a stray "unauthorized".
var rejectionMarkers = []struct {
	class   Rejection
	markers []string
}{
	{RejectionDeleted, []string{"agent_deleted", "410"}},
	{RejectionUnavailable, []string{"503", "server_error", "service unavailable"}},
	{RejectionUnauthorized, []string{"unauthorized", "invalid psk", "401"}},
}

// ClassifyRejection classifies a rejection text the way deployed agents do,
// so our agent behaves like them and tests can check the controller's texts.
func ClassifyRejection(reason string) Rejection {
	reason = strings.ToLower(reason)
	for _, rule := range rejectionMarkers {
		for _, marker := range rule.markers {
			if strings.Contains(reason, marker) {
				return rule.class
			}
		}
	}
	return RejectionOther
}
