package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

// Hop is one TTL of an MTR result, as the network map draws it.
type Hop struct {
	Responders []string // canonical IPs, sorted; none when the hop stayed silent
	LossPct    *float64 // %
	AvgMs      *float64 // ms; nil when nothing answered (its "0.00" is a stand-in)
}

// MTRHops reads the hops of an MTR payload in TTL order.
func MTRHops(payload json.RawMessage) ([]Hop, error) {
	var p mtrPayload
	if err := decodePayload(protocol.TypeMTR, payload, &p); err != nil {
		return nil, err
	}
	path := pathOf(p.Report.Hops)
	hops := make([]Hop, len(p.Report.Hops))
	for i, h := range p.Report.Hops {
		hops[i] = Hop{Responders: path[i], LossPct: h.LossPct.ptr(),
			AvgMs: when(!h.Recv.set || h.Recv.value > 0, h.Avg.ptr())}
	}
	return hops, nil
}
