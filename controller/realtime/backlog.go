package realtime

import "sync"

// messageOverhead is what a queued message costs beyond its frame.
const messageOverhead = 64

// backlog is a subscriber's queue of messages waiting to be taken, bounded
// by bytes rather than by count: a burst (one committed batch can carry
// thousands of results) fits, a client that stays behind does not.
type backlog struct {
	limit int
	ready chan struct{} // holds a signal while messages wait

	mu    sync.Mutex
	msgs  []Message
	bytes int
}

func newBacklog(limit int) *backlog {
	return &backlog{limit: limit, ready: make(chan struct{}, 1)}
}

// push queues m and reports false when it would exceed the limit.
func (b *backlog) push(m Message) bool {
	size := len(m.Frame) + messageOverhead
	b.mu.Lock()
	if b.bytes+size > b.limit {
		b.mu.Unlock()
		return false
	}
	b.msgs = append(b.msgs, m)
	b.bytes += size
	b.mu.Unlock()
	select {
	case b.ready <- struct{}{}:
	default:
	}
	return true
}

// take returns the waiting messages in order and empties the queue.
func (b *backlog) take() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	msgs := b.msgs
	b.msgs, b.bytes = nil, 0
	return msgs
}
