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
	for _, d := range definitions {
		if value, ok := v.Get(d.Name); ok {
			out[d.Name] = value
		}
	}
	return out
}

// Get returns the value of the named metric and whether the result has one.
// It is a switch rather than a map so that alert evaluation, which asks once
// per result and rule, allocates nothing.
func (v *Values) Get(name string) (float64, bool) {
	var p *float64
	switch name {
	case PacketLoss:
		p = v.PacketLoss
	case Latency:
		p = v.Latency
	case Jitter:
		p = v.Jitter
	case MOS:
		p = v.MOS
	case EndHopLoss:
		p = v.EndHopLoss
	case EndHopLatency:
		p = v.EndHopLatency
	case HopCount:
		p = v.HopCount
	case RouteChange:
		p = v.RouteChange
	case DNSQueryTime:
		p = v.DNSQueryTime
	case DNSFailure:
		p = v.DNSFailure
	case HTTPStatus:
		p = v.HTTPStatus
	case HTTPTotalMs:
		p = v.HTTPTotalMs
	case HTTPTTFB:
		p = v.HTTPTTFB
	case HTTPFailure:
		p = v.HTTPFailure
	case TLSExpiryDays:
		p = v.TLSExpiryDays
	case CPUUsage:
		p = v.CPUUsage
	case MemoryUsage:
		p = v.MemoryUsage
	}
	if p == nil {
		return 0, false
	}
	return *p, true
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
