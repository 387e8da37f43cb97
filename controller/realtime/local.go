package realtime

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Local is the in-process Broker. Publish queues events for one dispatch
// goroutine (Run), which encodes each event once and appends it to the
// bounded backlog of every interested subscriber; a subscriber whose
// backlog is full is dropped, so no subscriber slows the others or the
// publisher.
type Local struct {
	log   *slog.Logger
	inbox chan []Event

	// mu guards topics and every subscriber's filters.
	mu     sync.RWMutex
	topics map[int64]map[*Subscriber]struct{} // workspace → its subscribers

	lastWarn atomic.Int64 // unix nanos of the last "inbox full" warning
}

// DefaultInbox is how many Publish calls may wait for the dispatcher.
const DefaultInbox = 4096

// NewLocal returns an in-process broker whose dispatcher queue holds inbox
// Publish calls (DefaultInbox when ≤ 0). Call Run to start dispatching.
func NewLocal(inbox int, log *slog.Logger) *Local {
	if inbox <= 0 {
		inbox = DefaultInbox
	}
	return &Local{log: log, inbox: make(chan []Event, inbox), topics: map[int64]map[*Subscriber]struct{}{}}
}

// Publish queues events for dispatch; when the dispatcher is that far
// behind, they are dropped (with a warning at most every 10 s).
func (l *Local) Publish(events ...Event) {
	if len(events) == 0 {
		return
	}
	select {
	case l.inbox <- events:
	default:
		now := time.Now().UnixNano()
		if last := l.lastWarn.Load(); now-last > int64(10*time.Second) && l.lastWarn.CompareAndSwap(last, now) {
			l.log.Warn("panel updates dropped: realtime dispatcher is behind", "events", len(events))
		}
	}
}

// Run dispatches published events until ctx ends.
func (l *Local) Run(ctx context.Context) {
	var targets []*Subscriber
	for {
		select {
		case <-ctx.Done():
			return
		case events := <-l.inbox:
			for _, ev := range events {
				targets = l.dispatch(ev, targets[:0])
			}
		}
	}
}

// dispatch delivers one event; targets is scratch space, returned for reuse.
func (l *Local) dispatch(ev Event, targets []*Subscriber) []*Subscriber {
	l.mu.RLock()
	for s := range l.topics[ev.WorkspaceID] {
		if s.wants(ev.WorkspaceID, ev.Kind, ev.ProbeID) {
			targets = append(targets, s)
		}
	}
	l.mu.RUnlock()
	if len(targets) == 0 {
		return targets
	}
	m := Message{WorkspaceID: ev.WorkspaceID, Kind: ev.Kind, ProbeID: ev.ProbeID}
	if ev.Kind != KindChanged {
		frame, err := encode(ev.Kind, ev.Body)
		if err != nil {
			l.log.Error("panel message not encodable; dropped", "kind", ev.Kind, "err", err)
			return targets
		}
		m.Frame = frame
	}
	for _, s := range targets {
		s.Send(m)
	}
	return targets
}

// Subscribe implements Broker.
func (l *Local) Subscribe(ctx context.Context, limit int) *Subscriber {
	s := &Subscriber{broker: l, queue: newBacklog(limit), filters: map[int64]map[int64]struct{}{}}
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	context.AfterFunc(s.ctx, s.leaveAll)
	return s
}
