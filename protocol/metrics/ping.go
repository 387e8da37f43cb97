package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

// pingPayload is a PING result (pro-bing statistics); RTTs are integer nanoseconds.
type pingPayload struct {
	PacketsSent           *float64 `json:"packets_sent"`
	PacketsRecv           *float64 `json:"packets_recv"`
	PacketsRecvDuplicates *float64 `json:"packets_recv_duplicates"`
	PacketLoss            *float64 `json:"packet_loss"` // %
	MinRTT                *float64 `json:"min_rtt"`
	MaxRTT                *float64 `json:"max_rtt"`
	AvgRTT                *float64 `json:"avg_rtt"`
	StdDevRTT             *float64 `json:"std_dev_rtt"` // population
	// Jitter (ms, mean |ΔRTT|) is sent by our agent only.
	Jitter *float64 `json:"jitter"`
}

// extractPing reads packet_loss, latency, jitter and mos. pro-bing reports 0
// loss when nothing was sent and 0 RTTs when nothing came back; those zeros
// are stand-ins, not measurements.
func extractPing(payload json.RawMessage) (Values, error) {
	var p pingPayload
	if err := decodePayload(protocol.TypePing, payload, &p); err != nil {
		return Values{}, err
	}
	v := Values{
		PacketLoss: when(atLeast(p.PacketsSent, 1), p.PacketLoss),
		Latency:    when(atLeast(p.PacketsRecv, 1), millisFromNanos(p.AvgRTT)),
		Jitter:     when(atLeast(p.PacketsRecv, 2), p.Jitter),
	}
	v.MOS = estimatedMOS(v.Latency, v.Jitter, v.PacketLoss)
	return v, nil
}
