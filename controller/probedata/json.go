package probedata

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// MarshalJSON writes the ProbeData JSON of the API (CONTRACT §6): the
// agent's payload as received, plus what the controller knows of it.
func (r Row) MarshalJSON() ([]byte, error) {
	payload := r.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	return json.Marshal(struct {
		ID              int64           `json:"id"`
		ProbeID         int64           `json:"probe_id"`
		ProbeAgentID    int64           `json:"probe_agent_id"`
		AgentID         int64           `json:"agent_id"`
		Type            string          `json:"type"`
		Target          string          `json:"target"`
		TargetAgent     int64           `json:"target_agent"`
		Triggered       bool            `json:"triggered"`
		TriggeredReason string          `json:"triggered_reason"`
		CreatedAt       time.Time       `json:"created_at"`
		ReceivedAt      time.Time       `json:"received_at"`
		Payload         json.RawMessage `json:"payload"`
	}{r.ID, r.ProbeID, r.ProbeAgentID, r.AgentID, r.Type, r.Target, r.TargetAgent, r.Triggered, r.TriggeredReason,
		r.CreatedAt.UTC(), r.ReceivedAt.UTC(), payload})
}

// MarshalJSON writes a bucket (see AppendJSON).
func (b Bucket) MarshalJSON() ([]byte, error) {
	return b.AppendJSON(make([]byte, 0, 96+len(b.Metrics)*96))
}

// AppendJSON appends the bucket's JSON to dst. An aggregate answer holds
// thousands of buckets (30 days of 5-minute buckets is 8,640); encoding
// them by reflection, or even re-scanning MarshalJSON output as
// encoding/json does, cost as much as the query, so the API writes the
// list with AppendJSON directly.
func (b Bucket) AppendJSON(out []byte) ([]byte, error) {
	out = append(out, `{"bucket_start":"`...)
	out = b.Start.UTC().AppendFormat(out, time.RFC3339Nano)
	out = append(out, `","count":`...)
	out = strconv.AppendInt(out, int64(b.Count), 10)
	out = append(out, `,"type":`...)
	out = strconv.AppendQuote(out, b.Type)
	out = append(out, `,"agent_id":`...)
	out = strconv.AppendInt(out, b.AgentID, 10)
	out = append(out, `,"metrics":{`...)
	names := make([]string, 0, len(b.Metrics))
	for name := range b.Metrics {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		if i > 0 {
			out = append(out, ',')
		}
		s := b.Metrics[name]
		out = strconv.AppendQuote(out, name)
		for _, f := range []struct {
			key string
			v   float64
		}{{`:{"avg":`, s.Avg}, {`,"min":`, s.Min}, {`,"max":`, s.Max}, {`,"p95":`, s.P95}} {
			if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
				return nil, fmt.Errorf("metric %s is not a finite number", name)
			}
			out = append(out, f.key...)
			out = strconv.AppendFloat(out, f.v, 'g', -1, 64)
		}
		out = append(out, '}')
	}
	return append(out, "}}"...), nil
}
