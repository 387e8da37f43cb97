package neffos

import (
	"errors"
	"fmt"
)

// After the HTTP upgrade the client sends ClientAck; the server answers
// ServerAck(id) or, when it refuses the connection, ServerReject(reason) and
// closes it. The server must send nothing before ClientAck arrives: the neffos
// client discards what it reads right after the upgrade.
const (
	clientAckByte    = 'M'
	serverAckByte    = 'A'
	serverRejectByte = 'H'

	// ClientAck is the whole first frame a client sends.
	ClientAck = string(clientAckByte)
)

// IsClientAck reports whether frame is the client's handshake frame. Like
// neffos, it looks only at the first byte; no regular frame starts with 'M'.
func IsClientAck(frame []byte) bool {
	return len(frame) > 0 && frame[0] == clientAckByte
}

// ServerAck is the server's handshake answer that accepts the connection and
// names it; connID may be any unique string.
func ServerAck(connID string) []byte {
	return append([]byte{serverAckByte}, connID...)
}

// ServerReject is the server's handshake answer that refuses the connection.
// Deployed agents act on substrings of reason: use one of the Reject* texts.
func ServerReject(reason string) []byte {
	return append([]byte{serverRejectByte}, reason...)
}

// ErrNotHandshake is returned by ParseServerAck for a frame that is neither a
// ServerAck nor a ServerReject; a client keeps such frames until the handshake
// completes, as neffos does.
var ErrNotHandshake = errors.New("not a neffos handshake frame")

// RejectedError is a server's ServerReject answer.
type RejectedError struct {
	Reason string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("connection rejected by server: %s", e.Reason)
}

// ParseServerAck reads the server's answer to ClientAck: the connection id, a
// *RejectedError, or ErrNotHandshake.
func ParseServerAck(frame []byte) (connID string, err error) {
	if len(frame) == 0 {
		return "", ErrNotHandshake
	}
	switch frame[0] {
	case serverAckByte:
		return string(frame[1:]), nil
	case serverRejectByte:
		return "", &RejectedError{Reason: string(frame[1:])}
	default:
		return "", ErrNotHandshake
	}
}
