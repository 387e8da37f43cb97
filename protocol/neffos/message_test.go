package neffos

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// equalMessages compares field by field because a nil and an empty Body mean
// the same thing on the wire.
func equalMessages(a, b Message) bool {
	return a.Wait == b.Wait && a.Namespace == b.Namespace && a.Room == b.Room &&
		a.Event == b.Event && a.IsError == b.IsError && a.IsNoOp == b.IsNoOp &&
		bytes.Equal(a.Body, b.Body)
}

func TestMarshalAndParseKnownFrames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		msg   Message
		frame string
	}{
		{
			name:  "namespace connect from a client",
			msg:   Message{Wait: "$1700000000000000000", Namespace: "agent", Event: OnNamespaceConnect},
			frame: "$1700000000000000000;agent;;_OnNamespaceConnect;0;0;",
		},
		{
			name:  "fire-and-forget event with JSON body",
			msg:   Message{Namespace: "agent", Event: "probe_post_ok", Body: []byte(`{"ok":true}`)},
			frame: `;agent;;probe_post_ok;0;0;{"ok":true}`,
		},
		{
			name:  "body keeps its semicolons",
			msg:   Message{Namespace: "agent", Event: "probe_post", Body: []byte(`{"raw":"a;b;;c"};`)},
			frame: `;agent;;probe_post;0;0;{"raw":"a;b;;c"};`,
		},
		{
			name:  "semicolons in namespace, room and event are escaped",
			msg:   Message{Namespace: "a;b", Room: ";", Event: "x;;y"},
			frame: ";a@%!semicolon@%!b;@%!semicolon@%!;x@%!semicolon@%!@%!semicolon@%!y;0;0;",
		},
		{
			name:  "bad namespace error reply",
			msg:   Message{Wait: "$42", Namespace: "nope", Event: OnNamespaceConnect, IsError: true, Body: []byte(BadNamespace)},
			frame: "$42;nope;;_OnNamespaceConnect;1;0;bad namespace",
		},
		{
			name:  "server-initiated namespace disconnect",
			msg:   Message{Wait: "1700000000000000001", Namespace: "agent", Event: OnNamespaceDisconnect},
			frame: "1700000000000000001;agent;;_OnNamespaceDisconnect;0;0;",
		},
		{
			name:  "no-op connect",
			msg:   Message{Wait: "$7", Namespace: "agent", Event: OnNamespaceConnect, IsNoOp: true},
			frame: "$7;agent;;_OnNamespaceConnect;0;1;",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(tt.msg.Marshal()); got != tt.frame {
				t.Errorf("Marshal() = %q, want %q", got, tt.frame)
			}
			got, err := Parse([]byte(tt.frame))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.frame, err)
			}
			if !equalMessages(got, tt.msg) {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.frame, got, tt.msg)
			}
		})
	}
}

func TestEmptyReply(t *testing.T) {
	t.Parallel()
	frame := EmptyReply("$1700000000000000000")
	if string(frame) != "$1700000000000000000;;;;;;" {
		t.Fatalf("EmptyReply = %q", frame)
	}
	got, err := Parse(frame)
	if err != nil {
		t.Fatalf("Parse(empty reply): %v", err)
	}
	if want := (Message{Wait: "$1700000000000000000"}); !equalMessages(got, want) {
		t.Errorf("Parse(empty reply) = %+v, want %+v", got, want)
	}
}

func TestParseRejectsMalformedFrames(t *testing.T) {
	t.Parallel()
	for _, frame := range []string{
		"",
		"M",
		"A3f2c",
		";agent;;probe_get;0;0", // six fields: body separator missing
		"plain text without separators",
		";agent;;probe_get;2;0;",   // isError must be 0 or 1
		";agent;;probe_get;0;yes;", // isNoOp must be 0 or 1
		";agent;;probe_get;true;0;body",
	} {
		_, err := Parse([]byte(frame))
		if !errors.Is(err, ErrMalformedFrame) {
			t.Errorf("Parse(%q) error = %v, want ErrMalformedFrame", frame, err)
		}
	}
}

func TestParseDoesNotAliasFrame(t *testing.T) {
	t.Parallel()
	frame := []byte(";agent;;probe_post;0;0;payload")
	m, err := Parse(frame)
	if err != nil {
		t.Fatal(err)
	}
	copy(frame[len(frame)-7:], "XXXXXXX")
	if string(m.Body) != "payload" {
		t.Errorf("Body changed with the frame buffer: %q", m.Body)
	}
}

func TestWaitTokens(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000000, 123)
	if got := ClientWait(now); got != "$1700000000000000123" {
		t.Errorf("ClientWait = %q", got)
	}
	if got := ServerWait(now); got != "1700000000000000123" {
		t.Errorf("ServerWait = %q", got)
	}
}
