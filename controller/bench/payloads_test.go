package bench

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// The hand-built bodies must be what agents send: valid ProbeData whose
// payloads the controller's extractor accepts.
func TestGeneratedResultsAreValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2026, 11, 30, 12, 0, 0, 123456789, time.UTC)
	for _, c := range []struct {
		typ     string
		payload json.RawMessage
	}{{protocol.TypePing, pingPayload(rng, "192.0.2.1", at)}, {protocol.TypeMTR, mtrPayload(rng, "192.0.2.1", at)}} {
		var pd protocol.ProbeData
		if err := json.Unmarshal(result(7, c.typ, "192.0.2.1", c.payload, at, "u-1"), &pd); err != nil {
			t.Fatalf("%s body: %v", c.typ, err)
		}
		if pd.ProbeID != 7 || pd.Type != c.typ || pd.UID != "u-1" || !pd.CreatedAt.Equal(at) {
			t.Errorf("%s body decoded as %+v", c.typ, pd)
		}
		v, err := metrics.Extract(pd.Type, pd.Payload)
		if err != nil {
			t.Fatalf("%s payload: %v", c.typ, err)
		}
		if c.typ == protocol.TypePing && (v.Latency == nil || *v.Latency < 8 || *v.Latency > 48) {
			t.Errorf("PING latency %v ms, want 8-48", v.Latency)
		}
	}
}
