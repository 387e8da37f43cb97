package metrics

import (
	"encoding/json"
	"net/netip"
	"slices"

	"github.com/netwatcher/netwatcher/protocol"
)

// mtrPayload is an MTR result. Deployed agents send hop statistics as strings
// of milliseconds and percent; numbers are accepted too.
type mtrPayload struct {
	Report struct {
		Hops []mtrHop `json:"hops"`
	} `json:"report"`
}

type mtrHop struct {
	TTL   lenientNumber `json:"ttl"`
	Hosts []struct {
		IP string `json:"ip"`
	} `json:"hosts"` // every responder seen at this TTL (ECMP)
	LossPct lenientNumber `json:"loss_pct"`
	Sent    lenientNumber `json:"sent"`
	Recv    lenientNumber `json:"recv"`
	Last    lenientNumber `json:"last"`
	Avg     lenientNumber `json:"avg"`
	Best    lenientNumber `json:"best"`
	Worst   lenientNumber `json:"worst"`
	StdDev  lenientNumber `json:"stddev"`
}

// extractMTR reads end_hop_loss, end_hop_latency, hop_count and the path. A
// trace without hops has none of them; a last hop that never answered has no
// latency (its "0.00" is a stand-in).
func extractMTR(payload json.RawMessage) (Values, error) {
	var p mtrPayload
	if err := decodePayload(protocol.TypeMTR, payload, &p); err != nil {
		return Values{}, err
	}
	hops := p.Report.Hops
	if len(hops) == 0 {
		return Values{}, nil
	}
	last := hops[len(hops)-1]
	hopCount := float64(len(hops))
	return Values{
		EndHopLoss:    last.LossPct.ptr(),
		EndHopLatency: when(!last.Recv.set || last.Recv.value > 0, last.Avg.ptr()),
		HopCount:      &hopCount,
		Path:          pathOf(hops),
	}, nil
}

// pathOf collects each hop's responders as canonical IP text, sorted and
// without duplicates; entries that are not IPs are not responders.
func pathOf(hops []mtrHop) Signature {
	path := make(Signature, len(hops))
	for i, hop := range hops {
		for _, host := range hop.Hosts {
			if addr, err := netip.ParseAddr(host.IP); err == nil {
				path[i] = append(path[i], addr.String())
			}
		}
		slices.Sort(path[i])
		path[i] = slices.Compact(path[i])
	}
	return path
}
