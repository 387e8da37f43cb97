package metrics

// RFactor is the simplified ITU-T G.107 E-model that PingPlotter and most
// monitoring tools use, from mean RTT and jitter (ms) and loss (%):
// EL = RTT + 2·jitter + 10; R = 93.2 − EL/40 below EL 160, else
// 93.2 − (EL − 120)/10; then R −= 2.5·loss.
func RFactor(latencyMs, jitterMs, lossPercent float64) float64 {
	effectiveLatency := latencyMs + 2*jitterMs + 10
	r := 93.2 - effectiveLatency/40
	if effectiveLatency >= 160 {
		r = 93.2 - (effectiveLatency-120)/10
	}
	return r - 2.5*lossPercent
}

// MOSFromRFactor maps an R factor to a mean opinion score between 1 and 4.5:
// 1 + 0.035·R + 7e−6·R·(R − 60)·(100 − R).
func MOSFromRFactor(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	default:
		return 1 + 0.035*r + 7e-6*r*(r-60)*(100-r)
	}
}
