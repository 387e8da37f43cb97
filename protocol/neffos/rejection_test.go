package neffos

import (
	"strings"
	"testing"
)

func TestControllerRejectionTextsClassifyAsIntended(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want Rejection
	}{
		{RejectInvalidPSK, RejectionUnauthorized},
		{RejectAgentDeleted, RejectionDeleted},
		{RejectServerError, RejectionUnavailable},
		{RejectRateLimited, RejectionUnavailable},
	}
	for _, tt := range tests {
		if got := ClassifyRejection(tt.text); got != tt.want {
			t.Errorf("ClassifyRejection(%q) = %d, want %d", tt.text, got, tt.want)
		}
		// A digit could match a status marker of another class ("410", "503", "401").
		if strings.ContainsAny(tt.text, "0123456789") {
			t.Errorf("rejection text %q contains digits", tt.text)
		}
	}
}

func TestClassifyRejectionLikeDeployedAgents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want Rejection
	}{
		{"410 Gone", RejectionDeleted},
		{"HTTP 401", RejectionUnauthorized},
		{"Unauthorized", RejectionUnauthorized},
		{"503 Service Unavailable", RejectionUnavailable},
		{"service unavailable: unauthorized upstream", RejectionUnavailable},
		{"agent_deleted while unauthorized", RejectionDeleted},
		{"connection reset by peer", RejectionOther},
		{"", RejectionOther},
	}
	for _, tt := range tests {
		if got := ClassifyRejection(tt.text); got != tt.want {
			t.Errorf("ClassifyRejection(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}
