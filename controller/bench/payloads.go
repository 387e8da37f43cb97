// Package bench is `netwatcher bench`: load generators that measure the
// controller end to end (simulated agents over real WebSockets) and the
// probe-data stores on their own.
package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// pingPayload is a PING result shaped like a deployed agent's: RTTs in
// integer nanoseconds, loss in percent. It is appended by hand rather than
// marshalled: the load generator shares the machine with the controller,
// and every microsecond it spends is one the controller does not get.
func pingPayload(rng *rand.Rand, target string, at time.Time) json.RawMessage {
	base := 8 + rng.Float64()*40 // ms
	recv := 10
	if rng.IntN(50) == 0 {
		recv = 9
	}
	ns := func(ms float64) int64 { return int64(ms * 1e6) }
	b := make([]byte, 0, 320)
	b = append(b, `{"start_timestamp":"`...)
	b = at.Add(-10*time.Second).AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","stop_timestamp":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","packets_sent":10,"packets_recv":`...)
	b = strconv.AppendInt(b, int64(recv), 10)
	b = append(b, `,"packets_recv_duplicates":0,"packet_loss":`...)
	b = strconv.AppendInt(b, int64(10-recv)*10, 10)
	b = append(b, `,"addr":"`...)
	b = append(b, target...)
	b = append(b, `","min_rtt":`...)
	b = strconv.AppendInt(b, ns(base*0.9), 10)
	b = append(b, `,"max_rtt":`...)
	b = strconv.AppendInt(b, ns(base*1.4), 10)
	b = append(b, `,"avg_rtt":`...)
	b = strconv.AppendInt(b, ns(base), 10)
	b = append(b, `,"std_dev_rtt":`...)
	b = strconv.AppendInt(b, ns(base*0.1), 10)
	return append(b, '}')
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

// result builds a probe_post body (appended by hand, like pingPayload).
func result(probeID int64, typ, target string, payload json.RawMessage, at time.Time, uid string) []byte {
	b := make([]byte, 0, len(payload)+200)
	b = append(b, `{"probe_id":`...)
	b = strconv.AppendInt(b, probeID, 10)
	b = append(b, `,"triggered":false,"triggered_reason":"","created_at":"`...)
	b = at.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","type":"`...)
	b = append(b, typ...)
	b = append(b, `","payload":`...)
	b = append(b, payload...)
	b = append(b, `,"target":"`...)
	b = append(b, target...)
	b = append(b, `","uid":"`...)
	b = append(b, uid...)
	return append(b, `"}`...)
}
