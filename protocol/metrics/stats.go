// Package metrics computes NetWatcher's measurements the one way METRICS.md
// defines them (loss, RTT statistics, jitter, MOS, MTR hop loss) and extracts,
// from each agent result, the typed values that alert rules and charts use.
// Tools disagree on these definitions by up to 4×, so each function names its
// method and golden-vector tests pin it.
package metrics

import "math"

// LossPercent is 100 × (sent − received) / sent. sent counts only probes whose
// timeout has expired, received only unique replies that arrived in time; a
// duplicate never counts twice. It has no value when nothing was sent or the
// counts contradict each other.
func LossPercent(sent, received int) (float64, bool) {
	if sent <= 0 || received < 0 || received > sent {
		return 0, false
	}
	return 100 * float64(sent-received) / float64(sent), true
}

// HopLossPercent is an MTR hop's loss, 100 × (1 − recv / (sent − inTransit)),
// as mtr computes it: probes still in flight are neither received nor lost.
func HopLossPercent(sent, received, inTransit int) (float64, bool) {
	return LossPercent(sent-inTransit, received)
}

// RTTStats summarises the round-trip times of unique replies, in the unit of
// its input.
type RTTStats struct {
	Min, Max, Mean float64
}

// SummarizeRTT returns min, max and mean of rtts; it has no value without replies.
func SummarizeRTT(rtts []float64) (RTTStats, bool) {
	if len(rtts) == 0 {
		return RTTStats{}, false
	}
	s := RTTStats{Min: rtts[0], Max: rtts[0], Mean: mean(rtts)}
	for _, r := range rtts[1:] {
		s.Min = min(s.Min, r)
		s.Max = max(s.Max, r)
	}
	return s, true
}

// PopulationStdDev is the standard deviation over n (÷n), which PING reports
// as deployed agents (pro-bing) do. It needs one sample.
func PopulationStdDev(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	return math.Sqrt(sumSquaredDeviations(xs) / float64(len(xs))), true
}

// SampleStdDev is the standard deviation over n − 1, which MTR hops report as
// `mtr --report` does. It needs two samples.
func SampleStdDev(xs []float64) (float64, bool) {
	if len(xs) < 2 {
		return 0, false
	}
	return math.Sqrt(sumSquaredDeviations(xs) / float64(len(xs)-1)), true
}

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func sumSquaredDeviations(xs []float64) float64 {
	m := mean(xs)
	var sum float64
	for _, x := range xs {
		sum += (x - m) * (x - m)
	}
	return sum
}
