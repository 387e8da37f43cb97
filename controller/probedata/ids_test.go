package probedata

import (
	"testing"
	"time"
)

func TestIDsAreUniqueOrderedAndCarryTheirTime(t *testing.T) {
	clock := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	g, err := NewIDGen(7)
	if err != nil {
		t.Fatal(err)
	}
	g.now = func() time.Time { return clock }
	seen := map[int64]bool{}
	var prev int64
	// More ids than one millisecond's sequence holds, on a frozen clock.
	for i := 0; i < 3*(maxSeq+1); i++ {
		id := g.Next()
		if seen[id] || id <= prev {
			t.Fatalf("id %d (#%d) not unique and increasing after %d", id, i, prev)
		}
		seen[id], prev = true, id
	}
	first := g.Next()
	clock = clock.Add(time.Second)
	later := g.Next()
	if got := TimeOfID(later); !got.Equal(clock) {
		t.Fatalf("TimeOfID = %v, want %v", got, clock)
	}
	if FirstIDAt(clock) > later || FirstIDAt(clock) <= first {
		t.Fatalf("FirstIDAt(%v) = %d does not separate %d and %d", clock, FirstIDAt(clock), first, later)
	}
}

func TestNodesNeverCollide(t *testing.T) {
	a, _ := NewIDGen(1)
	b, _ := NewIDGen(2)
	clock := time.Now()
	a.now = func() time.Time { return clock }
	b.now = a.now
	if a.Next() == b.Next() {
		t.Fatal("two nodes generated the same id in the same millisecond")
	}
	if _, err := NewIDGen(MaxNode + 1); err == nil {
		t.Fatal("node above MaxNode accepted")
	}
}

func TestIDsFitJavaScriptNumbers(t *testing.T) {
	g, _ := NewIDGen(MaxNode)
	g.now = func() time.Time { return idEpoch.AddDate(60, 0, 0) }
	if id := g.Next(); id >= 1<<53 {
		t.Fatalf("id %d in 60 years exceeds 2^53; the panel would lose precision", id)
	}
}
