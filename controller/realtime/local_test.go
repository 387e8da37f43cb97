package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// startLocal runs a broker until the test ends.
func startLocal(t *testing.T, inbox int) *Local {
	t.Helper()
	l := NewLocal(inbox, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return l
}

type testBody struct {
	N int `json:"n"`
}

func ev(ws int64, kind Kind, probe int64, n int) Event {
	return Event{WorkspaceID: ws, Kind: kind, ProbeID: probe, Body: testBody{N: n}}
}

// reader hands out a subscriber's messages one at a time.
type reader struct {
	*Subscriber
	pending []Message
}

func subscribe(t *testing.T, l *Local, limit int) *reader {
	return &reader{Subscriber: l.Subscribe(t.Context(), limit)}
}

// next returns the next message or fails after a generous deadline.
func (r *reader) next(t *testing.T) Message {
	t.Helper()
	for len(r.pending) == 0 {
		select {
		case <-r.Ready():
			r.pending = r.Take()
		case <-time.After(5 * time.Second):
			t.Fatal("no message within 5 s")
		}
	}
	m := r.pending[0]
	r.pending = r.pending[1:]
	return m
}

// nothingBefore asserts that nothing is waiting for r: a marker event
// published to markerWS now must be the next message.
func nothingBefore(t *testing.T, l *Local, r *reader, markerWS int64) {
	t.Helper()
	l.Publish(ev(markerWS, KindAlert, 0, -1))
	m := r.next(t)
	if m.WorkspaceID != markerWS || m.Kind != KindAlert || string(m.Frame) != `{"type":"alert","n":-1}` {
		t.Fatalf("got %s %s before the marker", m.Kind, m.Frame)
	}
}

func nOf(t *testing.T, m Message) int {
	t.Helper()
	var b testBody
	if err := json.Unmarshal(m.Frame, &b); err != nil {
		t.Fatalf("frame %s: %v", m.Frame, err)
	}
	return b.N
}

func TestWorkspacesAreSeparate(t *testing.T) {
	t.Parallel()
	l := startLocal(t, 0)
	a, b := subscribe(t, l, 1<<20), subscribe(t, l, 1<<20)
	a.Add(1, 0)
	b.Add(2, 0)
	l.Publish(ev(1, KindProbeData, 7, 1), ev(2, KindProbeData, 8, 2), ev(3, KindAlert, 0, 3))
	if m := a.next(t); m.WorkspaceID != 1 || string(m.Frame) != `{"type":"probe_data","n":1}` {
		t.Errorf("a got %d %s", m.WorkspaceID, m.Frame)
	}
	if m := b.next(t); m.WorkspaceID != 2 || string(m.Frame) != `{"type":"probe_data","n":2}` {
		t.Errorf("b got %d %s", m.WorkspaceID, m.Frame)
	}
	nothingBefore(t, l, a, 1)
	nothingBefore(t, l, b, 2)
}

func TestProbeFilter(t *testing.T) {
	t.Parallel()
	l := startLocal(t, 0)
	one, all := subscribe(t, l, 1<<20), subscribe(t, l, 1<<20)
	one.Add(1, 7)
	all.Add(1, 0)
	l.Publish(ev(1, KindProbeData, 8, 1), ev(1, KindProbeData, 7, 2), ev(1, KindSpeedtest, 0, 3))
	for _, want := range []int{2, 3} { // probe 8 filtered out; other kinds pass
		if got := nOf(t, one.next(t)); got != want {
			t.Errorf("probe-7 subscriber got n=%d, want %d", got, want)
		}
	}
	for _, want := range []int{1, 2, 3} {
		if got := nOf(t, all.next(t)); got != want {
			t.Errorf("probe-0 subscriber got n=%d, want %d", got, want)
		}
	}
}

func TestRemoveStopsDeliveryAndBufferedMessages(t *testing.T) {
	t.Parallel()
	l := startLocal(t, 0)
	s := subscribe(t, l, 1<<20)
	s.Add(1, 0)
	s.Add(2, 0)
	l.Publish(ev(1, KindAlert, 0, 1))
	m := s.next(t)
	if !s.Remove(1, 0) || s.Remove(1, 0) {
		t.Fatal("Remove should report true once, then false")
	}
	if s.Wants(m) {
		t.Error("a waiting message of a removed subscription is still wanted")
	}
	if !s.Wants(Message{Kind: KindDirect}) {
		t.Error("direct messages must always be wanted")
	}
	l.Publish(ev(1, KindAlert, 0, 2))
	nothingBefore(t, l, s, 2)
	s.RemoveWorkspace(2)
	if got := s.Workspaces(); len(got) != 0 || s.Count() != 0 {
		t.Errorf("after removing everything: workspaces %v, count %d", got, s.Count())
	}
}

// TestSlowSubscriberIsDroppedOthersContinue: a backlog holds a burst, but
// a subscriber that never takes is dropped once it overflows, while the
// publisher and a subscriber that keeps up are not held back.
func TestSlowSubscriberIsDroppedOthersContinue(t *testing.T) {
	t.Parallel()
	l := startLocal(t, 0)
	const limit = 64 * (messageOverhead + 24) // 64 messages of about 24 bytes
	slow, fast := subscribe(t, l, limit), subscribe(t, l, limit)
	slow.Add(1, 0)
	fast.Add(1, 0)
	burst := make([]Event, 50)
	for i := range burst {
		burst[i] = ev(1, KindProbeData, 1, i)
	}
	l.Publish(burst...) // a burst within the limit is taken whole
	for i := range burst {
		if got := nOf(t, fast.next(t)); got != i {
			t.Fatalf("fast subscriber got n=%d, want %d", got, i)
		}
	}
	const n = 200
	start := time.Now()
	for i := range n {
		l.Publish(ev(1, KindProbeData, 1, 100+i))
		if got := nOf(t, fast.next(t)); got != 100+i {
			t.Fatalf("fast subscriber got n=%d, want %d", got, 100+i)
		}
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("publishing took %s: the publisher was slowed", took)
	}
	select {
	case <-slow.Context().Done():
		if cause := context.Cause(slow.Context()); !errors.Is(cause, ErrSlow) {
			t.Errorf("slow subscriber ended with %v, want ErrSlow", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the slow subscriber was not dropped")
	}
	if ws := slow.Workspaces(); len(ws) != 0 {
		t.Errorf("dropped subscriber still in topics %v", ws)
	}
	if slow.Add(1, 0) {
		t.Error("Add succeeded on a dropped subscriber")
	}
}

func TestEndedSubscribersLeaveTheirTopics(t *testing.T) {
	t.Parallel()
	l := startLocal(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	a := l.Subscribe(ctx, 1<<20)
	a.Add(1, 0)
	b := l.Subscribe(t.Context(), 1<<20)
	b.Add(2, 3)
	cancel()
	b.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l.mu.RLock()
		n := len(l.topics)
		l.mu.RUnlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d topics left after every subscriber ended", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPublishNeverBlocksWhenTheDispatcherIsBehind(t *testing.T) {
	t.Parallel()
	l := NewLocal(1, quiet) // not running: nothing drains the inbox
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			l.Publish(ev(1, KindAlert, 0, i))
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a full inbox")
	}
}

func TestUnencodableEventsAreSkipped(t *testing.T) {
	t.Parallel()
	l := startLocal(t, 0)
	s := subscribe(t, l, 1<<20)
	s.Add(1, 0)
	l.Publish(Event{WorkspaceID: 1, Kind: KindAlert, Body: []int{1}}, Event{WorkspaceID: 1, Kind: KindAlert, Body: func() {}})
	nothingBefore(t, l, s, 1)
}
