package metrics

// Values are the metrics of one result, one field per typed column. A nil
// field has no value: its source was missing or was a stand-in such as the 0
// RTT of an unreachable target, and rules skip it.
type Values struct {
	PacketLoss    *float64 // %
	Latency       *float64 // ms, mean RTT
	Jitter        *float64 // ms, mean |ΔRTT|
	MOS           *float64 // 1–4.5
	EndHopLoss    *float64 // %
	EndHopLatency *float64 // ms
	HopCount      *float64
	RouteChange   *float64 // 1 or 0; set by CompareWithPrevious
	DNSQueryTime  *float64 // ms
	DNSFailure    *float64 // 1 or 0
	HTTPStatus    *float64
	HTTPTotalMs   *float64 // ms
	HTTPTTFB      *float64 // ms
	HTTPFailure   *float64 // 1 or 0
	TLSExpiryDays *float64 // days
	CPUUsage      *float64 // %; set by CompareWithPrevious
	MemoryUsage   *float64 // %

	// Path is an MTR result's route, kept to compute the next result's RouteChange.
	Path Signature
	// CPU holds a SYSINFO result's counters, kept to compute the next result's CPUUsage.
	CPU *CPUTimes
}

// Metrics lists the metrics that have a value, by name.
func (v Values) Metrics() map[string]float64 {
	out := make(map[string]float64)
	for name, value := range map[string]*float64{
		PacketLoss:    v.PacketLoss,
		Latency:       v.Latency,
		Jitter:        v.Jitter,
		MOS:           v.MOS,
		EndHopLoss:    v.EndHopLoss,
		EndHopLatency: v.EndHopLatency,
		HopCount:      v.HopCount,
		RouteChange:   v.RouteChange,
		DNSQueryTime:  v.DNSQueryTime,
		DNSFailure:    v.DNSFailure,
		HTTPStatus:    v.HTTPStatus,
		HTTPTotalMs:   v.HTTPTotalMs,
		HTTPTTFB:      v.HTTPTTFB,
		HTTPFailure:   v.HTTPFailure,
		TLSExpiryDays: v.TLSExpiryDays,
		CPUUsage:      v.CPUUsage,
		MemoryUsage:   v.MemoryUsage,
	} {
		if value != nil {
			out[name] = *value
		}
	}
	return out
}

// CompareWithPrevious sets the metrics that compare a result with the previous
// one of its series: RouteChange against the previous MTR result of the same
// (agent, probe, target), 0 for the first; CPUUsage against the agent's
// previous SYSINFO, no value for the first. prev is nil when there is none.
func (v *Values) CompareWithPrevious(prev *Values) {
	if len(v.Path) > 0 {
		changed := prev != nil && len(prev.Path) > 0 && RouteChanged(prev.Path, v.Path)
		v.RouteChange = flag(changed)
	}
	if v.CPU != nil && prev != nil && prev.CPU != nil {
		if usage, ok := CPUUsageBetween(*prev.CPU, *v.CPU); ok {
			v.CPUUsage = &usage
		}
	}
}

// flag is a 1/0 metric value.
func flag(set bool) *float64 {
	v := 0.0
	if set {
		v = 1
	}
	return &v
}
