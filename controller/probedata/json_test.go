package probedata

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// Bucket's hand-written encoding must decode to the same value the
// reflection-based encoding of its fields gives.
func TestBucketJSONRoundTrips(t *testing.T) {
	b := Bucket{Start: time.Date(2026, 11, 30, 12, 5, 0, 0, time.UTC), Count: 5, Type: "PING", AgentID: 7,
		Metrics: map[string]MetricStats{
			"latency":     {Avg: 12.345, Min: 1e-9, Max: 1e6, P95: 99.5},
			"packet_loss": {Avg: 0, Min: 0, Max: 100, P95: 50},
		}}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	type plain Bucket // same fields, default encoding
	var got, want map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	ref, _ := json.Marshal(plain(b))
	_ = json.Unmarshal(ref, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("encoded %s\nwant      %s", data, ref)
	}
	if _, err := json.Marshal(Bucket{Metrics: map[string]MetricStats{"x": {Avg: nan()}}}); err == nil {
		t.Fatal("NaN encoded")
	}
}

func nan() float64 { var zero float64; return zero / zero }
