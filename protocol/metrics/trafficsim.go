package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

// trafficSimPayload is a TRAFFICSIM client's cycle report: camelCase keys,
// times in milliseconds.
type trafficSimPayload struct {
	TotalPackets     *float64 `json:"totalPackets"`
	LostPackets      *float64 `json:"lostPackets"`
	LossPercentage   *float64 `json:"lossPercentage"`
	OutOfSequence    *float64 `json:"outOfSequence"`
	DuplicatePackets *float64 `json:"duplicatePackets"`
	AverageRTT       *float64 `json:"averageRTT"`
	MinRTT           *float64 `json:"minRTT"`
	MaxRTT           *float64 `json:"maxRTT"`
	StdDevRTT        *float64 `json:"stdDevRTT"`
	JitterAvg        *float64 `json:"jitterAvg"` // mean |ΔRTT|
	P95RTT           *float64 `json:"p95RTT"`
	P99RTT           *float64 `json:"p99RTT"`
	// Deployed agents write "MOS" and "RFactor" (VoIP mode only);
	// encoding/json matches keys case-insensitively.
	MOS     *float64 `json:"mos"`
	RFactor *float64 `json:"rFactor"`
}

// extractTrafficSim reads packet_loss, latency, jitter and mos. Deployed
// agents report 0 RTT and jitter when too few replies came back to measure
// them; those zeros are stand-ins.
func extractTrafficSim(payload json.RawMessage) (Values, error) {
	var p trafficSimPayload
	if err := decodePayload(protocol.TypeTrafficSim, payload, &p); err != nil {
		return Values{}, err
	}
	var replies *float64
	if p.TotalPackets != nil && p.LostPackets != nil {
		n := *p.TotalPackets - *p.LostPackets
		replies = &n
	}
	v := Values{
		PacketLoss: when(atLeast(p.TotalPackets, 1), p.LossPercentage),
		Latency:    when(atLeast(replies, 1), p.AverageRTT),
		Jitter:     when(atLeast(replies, 2), p.JitterAvg),
		MOS:        p.MOS,
	}
	if v.MOS == nil {
		v.MOS = estimatedMOS(v.Latency, v.Jitter, v.PacketLoss)
	}
	return v, nil
}
