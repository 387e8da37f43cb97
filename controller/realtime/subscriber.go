package realtime

import (
	"context"
	"errors"
	"slices"
)

// ErrSlow ends a subscriber whose backlog overflowed: it did not take its
// messages fast enough.
var ErrSlow = errors.New("subscriber too slow: backlog full")

// Message is an event as a subscriber receives it.
type Message struct {
	WorkspaceID int64
	Kind        Kind
	ProbeID     int64
	// Frame is the JSON message for the client, encoded once for every
	// subscriber (read-only); nil for KindChanged.
	Frame []byte
}

// Subscriber receives the events of the workspaces and probes it added,
// through a bounded backlog. A subscription to probe 0 of a workspace
// receives all of its probe_data; one to probe N only N's; every
// subscription to a workspace receives its other kinds.
type Subscriber struct {
	broker  *Local
	queue   *backlog
	ctx     context.Context
	cancel  context.CancelCauseFunc
	filters map[int64]map[int64]struct{} // workspace → probe ids; guarded by broker.mu
}

// Ready signals that messages are waiting: Take them.
func (s *Subscriber) Ready() <-chan struct{} { return s.queue.ready }

// Take returns the waiting messages in order and empties the backlog.
func (s *Subscriber) Take() []Message { return s.queue.take() }

// Context ends when the subscriber ends; context.Cause tells why (ErrSlow
// after an overflow).
func (s *Subscriber) Context() context.Context { return s.ctx }

// Close ends the subscriber.
func (s *Subscriber) Close() { s.cancel(context.Canceled) }

// Send queues m for this subscriber alone (replies use it to stay in order
// with events). A full backlog ends the subscriber with ErrSlow.
func (s *Subscriber) Send(m Message) {
	if s.ctx.Err() == nil && !s.queue.push(m) {
		s.cancel(ErrSlow)
	}
}

// Add subscribes to probeID (0: every probe) of a workspace. It reports
// false when the subscriber has ended.
func (s *Subscriber) Add(workspaceID, probeID int64) bool {
	l := s.broker
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	probes := s.filters[workspaceID]
	if probes == nil {
		probes = map[int64]struct{}{}
		s.filters[workspaceID] = probes
		subs := l.topics[workspaceID]
		if subs == nil {
			subs = map[*Subscriber]struct{}{}
			l.topics[workspaceID] = subs
		}
		subs[s] = struct{}{}
	}
	probes[probeID] = struct{}{}
	return true
}

// Remove ends one subscription and reports whether it existed.
func (s *Subscriber) Remove(workspaceID, probeID int64) bool {
	l := s.broker
	l.mu.Lock()
	defer l.mu.Unlock()
	probes := s.filters[workspaceID]
	if _, ok := probes[probeID]; !ok {
		return false
	}
	delete(probes, probeID)
	if len(probes) == 0 {
		s.leaveLocked(workspaceID)
	}
	return true
}

// RemoveWorkspace ends every subscription to a workspace.
func (s *Subscriber) RemoveWorkspace(workspaceID int64) {
	s.broker.mu.Lock()
	defer s.broker.mu.Unlock()
	s.leaveLocked(workspaceID)
}

func (s *Subscriber) leaveAll() {
	s.broker.mu.Lock()
	defer s.broker.mu.Unlock()
	for ws := range s.filters {
		s.leaveLocked(ws)
	}
}

func (s *Subscriber) leaveLocked(workspaceID int64) {
	delete(s.filters, workspaceID)
	l := s.broker
	delete(l.topics[workspaceID], s)
	if len(l.topics[workspaceID]) == 0 {
		delete(l.topics, workspaceID)
	}
}

// Workspaces lists the subscribed workspaces in ascending order.
func (s *Subscriber) Workspaces() []int64 {
	s.broker.mu.RLock()
	defer s.broker.mu.RUnlock()
	out := make([]int64, 0, len(s.filters))
	for ws := range s.filters {
		out = append(out, ws)
	}
	slices.Sort(out)
	return out
}

// Count is the number of subscriptions.
func (s *Subscriber) Count() int {
	s.broker.mu.RLock()
	defer s.broker.mu.RUnlock()
	n := 0
	for _, probes := range s.filters {
		n += len(probes)
	}
	return n
}

// Wants reports whether m is still due: a message that was waiting when
// its subscription ended is not. Direct messages always are.
func (s *Subscriber) Wants(m Message) bool {
	if m.Kind == KindDirect {
		return true
	}
	s.broker.mu.RLock()
	defer s.broker.mu.RUnlock()
	return s.wants(m.WorkspaceID, m.Kind, m.ProbeID)
}

// wants is Wants for a caller holding broker.mu.
func (s *Subscriber) wants(workspaceID int64, kind Kind, probeID int64) bool {
	probes, ok := s.filters[workspaceID]
	if !ok {
		return false
	}
	if kind != KindProbeData {
		return true
	}
	_, all := probes[0]
	_, one := probes[probeID]
	return all || one
}
