package metrics

import (
	"os"
	"slices"
	"testing"
)

func TestMTRHops(t *testing.T) {
	t.Parallel()
	payload, err := os.ReadFile("testdata/mtr.json")
	if err != nil {
		t.Fatal(err)
	}
	hops, err := MTRHops(payload)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		responders []string
		loss       float64
		avg        *float64
	}{
		{[]string{"192.168.1.1"}, 0, ptr(0.58)},
		{[]string{"100.64.0.1"}, 0, ptr(8.10)},
		{nil, 100, nil}, // silent: its avg "0.00" is a stand-in
		{[]string{"72.14.215.85", "72.14.236.73"}, 0, ptr(13.95)},
		{[]string{"8.8.8.8"}, 20, ptr(14.73)},
	}
	if len(hops) != len(want) {
		t.Fatalf("got %d hops, want %d", len(hops), len(want))
	}
	for i, w := range want {
		h := hops[i]
		if !slices.Equal(h.Responders, w.responders) || h.LossPct == nil || *h.LossPct != w.loss ||
			(h.AvgMs == nil) != (w.avg == nil) || (w.avg != nil && *h.AvgMs != *w.avg) {
			t.Errorf("hop %d = %+v (loss %v avg %v), want %+v", i+1, h, deref(h.LossPct), deref(h.AvgMs), w)
		}
	}
}

func TestMTRHopsRejectsBadPayload(t *testing.T) {
	t.Parallel()
	if _, err := MTRHops([]byte(`[]`)); err == nil {
		t.Error("MTRHops accepted an array")
	}
}

func ptr(v float64) *float64 { return &v }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
