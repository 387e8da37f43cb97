package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

// speedtestPayload is a SPEEDTEST result: latencies in nanoseconds, speeds in
// bytes per second. No alert metric comes from it.
type speedtestPayload struct {
	TestData []struct {
		Distance   *float64 `json:"distance"`
		Latency    *float64 `json:"latency"`
		MinLatency *float64 `json:"min_latency"`
		MaxLatency *float64 `json:"max_latency"`
		Jitter     *float64 `json:"jitter"`
		DLSpeed    *float64 `json:"dl_speed"`
		ULSpeed    *float64 `json:"ul_speed"`
	} `json:"test_data"`
}

func validateSpeedtest(payload json.RawMessage) (Values, error) {
	return Values{}, decodePayload(protocol.TypeSpeedtest, payload, &speedtestPayload{})
}
