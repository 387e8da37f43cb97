package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

type dnsPayload struct {
	QueryTimeMs  *float64 `json:"query_time_ms"`
	ResponseCode string   `json:"response_code"`
	Error        string   `json:"error"`
	Answers      []struct {
		TTL *float64 `json:"ttl"`
	} `json:"answers"`
}

// extractDNS reads dns_query_time and dns_failure. A query that failed (error
// set) has no query time: deployed agents then report the time of the failed
// exchange, often 0.
func extractDNS(payload json.RawMessage) (Values, error) {
	var p dnsPayload
	if err := decodePayload(protocol.TypeDNS, payload, &p); err != nil {
		return Values{}, err
	}
	return Values{
		DNSQueryTime: when(p.Error == "", p.QueryTimeMs),
		DNSFailure:   flag(p.Error != "" || p.ResponseCode != "NOERROR"),
	}, nil
}
