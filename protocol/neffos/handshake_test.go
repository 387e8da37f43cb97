package neffos

import (
	"errors"
	"testing"
)

func TestHandshakeFrames(t *testing.T) {
	t.Parallel()
	if !IsClientAck([]byte(ClientAck)) {
		t.Error("IsClientAck(ClientAck) = false")
	}
	for _, frame := range []string{"", ";agent;;probe_get;0;0;hello", "$1;agent;;_OnNamespaceConnect;0;0;", "A1"} {
		if IsClientAck([]byte(frame)) {
			t.Errorf("IsClientAck(%q) = true", frame)
		}
	}
	if got := string(ServerAck("c0ffee")); got != "Ac0ffee" {
		t.Errorf("ServerAck = %q", got)
	}
	if got := string(ServerReject(RejectInvalidPSK)); got != "Hunauthorized: invalid psk" {
		t.Errorf("ServerReject = %q", got)
	}
}

func TestParseServerAck(t *testing.T) {
	t.Parallel()
	id, err := ParseServerAck(ServerAck("c0ffee"))
	if err != nil || id != "c0ffee" {
		t.Errorf("ParseServerAck(ack) = %q, %v", id, err)
	}

	_, err = ParseServerAck(ServerReject(RejectAgentDeleted))
	var rejected *RejectedError
	if !errors.As(err, &rejected) || rejected.Reason != RejectAgentDeleted {
		t.Errorf("ParseServerAck(reject) error = %v, want RejectedError %q", err, RejectAgentDeleted)
	}

	for _, frame := range []string{"", ";agent;;probe_get;0;0;[]"} {
		if _, err := ParseServerAck([]byte(frame)); !errors.Is(err, ErrNotHandshake) {
			t.Errorf("ParseServerAck(%q) error = %v, want ErrNotHandshake", frame, err)
		}
	}
}
