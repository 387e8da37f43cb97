// Package bench is `netwatcher bench`: load generators that measure the
// controller end to end (simulated agents over real WebSockets) and the
// probe-data stores on their own.
package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/netwatcher/netwatcher/protocol"
)

// pingPayload is a PING result shaped like a deployed agent's: RTTs in
// integer nanoseconds, loss in percent.
func pingPayload(rng *rand.Rand, target string, at time.Time) json.RawMessage {
	base := 8 + rng.Float64()*40 // ms
	recv := 10
	if rng.IntN(50) == 0 {
		recv = 9
	}
	ms := func(v float64) int64 { return int64(v * 1e6) }
	p := map[string]any{
		"start_timestamp": at.Add(-10 * time.Second).Format(time.RFC3339Nano), "stop_timestamp": at.Format(time.RFC3339Nano),
		"packets_sent": 10, "packets_recv": recv, "packets_recv_duplicates": 0,
		"packet_loss": float64(10-recv) * 10, "addr": target,
		"min_rtt": ms(base * 0.9), "max_rtt": ms(base * 1.4), "avg_rtt": ms(base), "std_dev_rtt": ms(base * 0.1),
	}
	b, _ := json.Marshal(p)
	return b
}

// mtrPayload is an MTR result with hop statistics as strings, the way
// deployed agents send them.
func mtrPayload(rng *rand.Rand, target string, at time.Time) json.RawMessage {
	type host struct {
		IP       string `json:"ip"`
		Hostname string `json:"hostname"`
	}
	hops := make([]map[string]any, 0, 8)
	for ttl := 1; ttl <= 8; ttl++ {
		ip := fmt.Sprintf("198.51.100.%d", ttl)
		if ttl == 8 {
			ip = target
		}
		avg := float64(ttl)*3 + rng.Float64()*2
		hops = append(hops, map[string]any{
			"ttl": ttl, "hosts": []host{{IP: ip, Hostname: ip}},
			"loss_pct": "0.0", "sent": 5, "recv": 5,
			"last": fmt.Sprintf("%.2f", avg), "avg": fmt.Sprintf("%.2f", avg),
			"best": fmt.Sprintf("%.2f", avg*0.9), "worst": fmt.Sprintf("%.2f", avg*1.3), "stddev": "0.40",
		})
	}
	p := map[string]any{
		"start_timestamp": at.Add(-30 * time.Second).Format(time.RFC3339Nano), "stop_timestamp": at.Format(time.RFC3339Nano),
		"report": map[string]any{"info": map[string]any{"target": host{IP: target, Hostname: target}}, "hops": hops},
	}
	b, _ := json.Marshal(p)
	return b
}

// result builds a probe_post body.
func result(probeID int64, typ, target string, payload json.RawMessage, at time.Time, uid string) []byte {
	b, _ := json.Marshal(protocol.ProbeData{ProbeID: probeID, CreatedAt: at, Type: typ, Payload: payload, Target: target, UID: uid})
	return b
}
