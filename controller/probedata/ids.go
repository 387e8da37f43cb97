package probedata

import (
	"fmt"
	"sync"
	"time"
)

// IDs are int64 and time-ordered: milliseconds since idEpoch (41 bits, good
// for 69 years), a 5-bit node number that distinguishes controller replicas
// (32), and a 7-bit sequence within the millisecond (128k ids/s per
// replica). 53 bits in all, so ids survive JavaScript's JSON numbers in the
// panel. ClickHouse has no auto-increment, and ordered ids keep SQLite's
// table in insertion order.
const (
	nodeBits = 5
	seqBits  = 7
	MaxNode  = 1<<nodeBits - 1
	maxSeq   = 1<<seqBits - 1
)

var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// IDGen generates ids for one controller replica.
type IDGen struct {
	mu   sync.Mutex
	node int64
	last int64 // ms since epoch of the last id
	seq  int64
	now  func() time.Time
}

// NewIDGen returns a generator for node (0…MaxNode).
func NewIDGen(node int64) (*IDGen, error) {
	if node < 0 || node > MaxNode {
		return nil, fmt.Errorf("id node %d out of range 0-%d", node, MaxNode)
	}
	return &IDGen{node: node, now: time.Now}, nil
}

// Next returns a new id. When a millisecond's sequence is exhausted it
// borrows the next millisecond rather than sleeping; ids stay unique and
// ordered and drift ahead of the clock only under bursts above 128k/s.
func (g *IDGen) Next() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := g.now().Sub(idEpoch).Milliseconds()
	switch {
	case ms > g.last:
		g.last, g.seq = ms, 0
	case g.seq < maxSeq:
		g.seq++
	default:
		g.last, g.seq = g.last+1, 0
	}
	return g.last<<(nodeBits+seqBits) | g.node<<seqBits | g.seq
}

// FirstIDAt is the smallest id that can be generated at t: rows with
// smaller ids were received before t.
func FirstIDAt(t time.Time) int64 {
	ms := t.Sub(idEpoch).Milliseconds()
	if ms < 0 {
		return 0
	}
	return ms << (nodeBits + seqBits)
}

// TimeOfID is the millisecond an id was generated in.
func TimeOfID(id int64) time.Time {
	return idEpoch.Add(time.Duration(id>>(nodeBits+seqBits)) * time.Millisecond).UTC()
}
