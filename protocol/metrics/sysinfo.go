package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

type sysinfoPayload struct {
	MemoryInfo *struct {
		TotalBytes     *float64 `json:"total_bytes"`
		UsedBytes      *float64 `json:"used_bytes"`
		AvailableBytes *float64 `json:"available_bytes"`
		FreeBytes      *float64 `json:"free_bytes"`
	} `json:"memoryInfo"`
	// CPUTimes are cumulative nanoseconds; deployed agents omit zero counters.
	CPUTimes *struct {
		User    float64 `json:"user"`
		System  float64 `json:"system"`
		Idle    float64 `json:"idle"`
		IOWait  float64 `json:"iowait"`
		IRQ     float64 `json:"irq"`
		Nice    float64 `json:"nice"`
		SoftIRQ float64 `json:"soft_irq"`
		Steal   float64 `json:"steal"`
	} `json:"CPUTimes"`
}

// extractSysinfo reads memory_usage (used / total, as METRICS.md defines it)
// and the CPU counters from which CompareWithPrevious derives cpu_usage.
func extractSysinfo(payload json.RawMessage) (Values, error) {
	var p sysinfoPayload
	if err := decodePayload(protocol.TypeSysinfo, payload, &p); err != nil {
		return Values{}, err
	}
	var v Values
	if m := p.MemoryInfo; m != nil && m.UsedBytes != nil && m.TotalBytes != nil && *m.TotalBytes > 0 {
		usage := 100 * *m.UsedBytes / *m.TotalBytes
		v.MemoryUsage = &usage
	}
	if c := p.CPUTimes; c != nil {
		v.CPU = &CPUTimes{
			Busy: c.User + c.System + c.Nice + c.IRQ + c.SoftIRQ + c.Steal,
			Idle: c.Idle + c.IOWait,
		}
	}
	return v, nil
}
