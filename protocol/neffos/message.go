// Package neffos implements the neffos wire format (github.com/kataras/neffos
// v0.0.22–v0.0.24) that deployed NetWatcher agents speak over their WebSocket:
// message frames, the connection handshake and neffos' reserved event names.
//
// It is written from the wire rules rather than wrapping the library so that the
// controller can serve agents on any WebSocket implementation; interop_test.go
// proves the bytes match the real package.
package neffos

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A frame is seven fields joined by ';':
// <wait>;<namespace>;<room>;<event>;<isError>;<isNoOp>;<body>.
const (
	fieldSeparator = ";"
	fieldCount     = 7

	// escapedSeparator stands for a literal ';' inside namespace, room and event
	// (never inside wait or body).
	escapedSeparator = "@%!semicolon@%!"

	// clientWaitPrefix marks the wait token of a request sent by a client.
	clientWaitPrefix = "$"
)

// Message is one neffos frame.
type Message struct {
	// Wait correlates a request with its reply: empty for fire-and-forget
	// messages, "$<unix-nanos>" on a client's request, "<unix-nanos>" on a
	// server's request; a reply repeats the request's Wait. It is sent raw, so
	// it must not contain ';' (tokens from ClientWait, ServerWait or Parse never do).
	Wait      string
	Namespace string
	Room      string
	Event     string
	// IsError marks Body as an error text. The real neffos treats an error
	// frame with an empty body as no error at all.
	IsError bool
	// IsNoOp asks the receiver not to answer a connect/disconnect/join/leave.
	IsNoOp bool
	// Body is raw and may contain ';'.
	Body []byte
}

// ErrMalformedFrame is wrapped by every Parse error.
var ErrMalformedFrame = errors.New("malformed neffos frame")

// Parse decodes one frame. The returned Body does not alias frame, so the
// caller may reuse its read buffer.
func Parse(frame []byte) (Message, error) {
	if len(frame) == 0 {
		return Message{}, fmt.Errorf("%w: empty", ErrMalformedFrame)
	}
	fields := bytes.SplitN(frame, []byte(fieldSeparator), fieldCount)
	if len(fields) != fieldCount {
		return Message{}, fmt.Errorf("%w: %d fields separated by ';', want %d", ErrMalformedFrame, len(fields), fieldCount)
	}
	isError, err := parseFlag("isError", fields[4])
	if err != nil {
		return Message{}, err
	}
	isNoOp, err := parseFlag("isNoOp", fields[5])
	if err != nil {
		return Message{}, err
	}
	m := Message{
		Wait:      string(fields[0]),
		Namespace: unescape(string(fields[1])),
		Room:      unescape(string(fields[2])),
		Event:     unescape(string(fields[3])),
		IsError:   isError,
		IsNoOp:    isNoOp,
	}
	if len(fields[6]) > 0 {
		m.Body = bytes.Clone(fields[6])
	}
	return m, nil
}

// parseFlag accepts "1" (true), "0" and "" (false): neffos writes 0/1, and its
// empty reply "<wait>;;;;;;" leaves both flags empty.
func parseFlag(name string, field []byte) (bool, error) {
	switch string(field) {
	case "1":
		return true, nil
	case "0", "":
		return false, nil
	default:
		return false, fmt.Errorf("%w: %s flag %q is not 0 or 1", ErrMalformedFrame, name, field)
	}
}

// Marshal encodes m as one frame.
func (m Message) Marshal() []byte {
	namespace, room, event := escape(m.Namespace), escape(m.Room), escape(m.Event)
	out := make([]byte, 0, len(m.Wait)+len(namespace)+len(room)+len(event)+len(m.Body)+10)
	out = append(out, m.Wait...)
	out = append(out, ';')
	out = append(out, namespace...)
	out = append(out, ';')
	out = append(out, room...)
	out = append(out, ';')
	out = append(out, event...)
	out = append(out, ';', flagByte(m.IsError), ';', flagByte(m.IsNoOp), ';')
	return append(out, m.Body...)
}

func flagByte(set bool) byte {
	if set {
		return '1'
	}
	return '0'
}

// EmptyReply is neffos' bare acknowledgement of the request that carried wait,
// e.g. of a namespace connect: "<wait>;;;;;;".
func EmptyReply(wait string) []byte {
	return []byte(wait + strings.Repeat(fieldSeparator, fieldCount-1))
}

// ClientWait returns the wait token a client puts on a request sent at now.
func ClientWait(now time.Time) string {
	return clientWaitPrefix + ServerWait(now)
}

// ServerWait returns the wait token a server puts on a request sent at now.
func ServerWait(now time.Time) string {
	return strconv.FormatInt(now.UnixNano(), 10)
}

func escape(s string) string {
	return strings.ReplaceAll(s, fieldSeparator, escapedSeparator)
}

func unescape(s string) string {
	return strings.ReplaceAll(s, escapedSeparator, fieldSeparator)
}
