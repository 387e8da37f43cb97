package metrics

import (
	"math"
	"testing"
)

func near(got, want, tolerance float64) bool {
	return math.Abs(got-want) <= tolerance
}

// METRICS.md: RTTs 20, 22, 19, 25, 20 ms → mean|ΔRTT| 4.0 ms; σ population
// 2.14 ms; σ sample 2.39 ms.
func TestRTTExampleFromMetricsSpec(t *testing.T) {
	t.Parallel()
	rtts := []float64{20, 22, 19, 25, 20}
	if got, ok := JitterMeanDelta(rtts); !ok || !near(got, 4.0, 1e-12) {
		t.Errorf("JitterMeanDelta = %v, %v; want 4.0", got, ok)
	}
	if got, ok := PopulationStdDev(rtts); !ok || !near(got, 2.14, 0.005) {
		t.Errorf("PopulationStdDev = %v, %v; want 2.14", got, ok)
	}
	if got, ok := SampleStdDev(rtts); !ok || !near(got, 2.39, 0.005) {
		t.Errorf("SampleStdDev = %v, %v; want 2.39", got, ok)
	}
	got, ok := SummarizeRTT(rtts)
	if want := (RTTStats{Min: 19, Max: 25, Mean: 21.2}); !ok || got.Min != want.Min || got.Max != want.Max || !near(got.Mean, want.Mean, 1e-12) {
		t.Errorf("SummarizeRTT = %+v, %v; want %+v", got, ok, want)
	}
}

func TestStatisticsNeedEnoughSamples(t *testing.T) {
	t.Parallel()
	if _, ok := SummarizeRTT(nil); ok {
		t.Error("SummarizeRTT(no replies) has a value")
	}
	if _, ok := PopulationStdDev(nil); ok {
		t.Error("PopulationStdDev(no samples) has a value")
	}
	if got, ok := PopulationStdDev([]float64{7}); !ok || got != 0 {
		t.Errorf("PopulationStdDev(one sample) = %v, %v; want 0", got, ok)
	}
	if _, ok := SampleStdDev([]float64{7}); ok {
		t.Error("SampleStdDev(one sample) has a value")
	}
	if _, ok := JitterMeanDelta([]float64{7}); ok {
		t.Error("JitterMeanDelta(one reply) has a value")
	}
}

// METRICS.md golden vectors: (RTT ms, jitter ms, loss %) → (R, MOS).
func TestMOSGoldenVectors(t *testing.T) {
	t.Parallel()
	tests := []struct{ rtt, jitter, loss, r, mos float64 }{
		{20, 2, 0, 92.35, 4.392},
		{80, 10, 1, 87.95, 4.286},
		{150, 20, 2, 80.2, 4.032},
		{300, 50, 5, 51.7, 2.664},
	}
	for _, tt := range tests {
		r := RFactor(tt.rtt, tt.jitter, tt.loss)
		if !near(r, tt.r, 1e-9) {
			t.Errorf("RFactor(%v, %v, %v) = %v, want %v", tt.rtt, tt.jitter, tt.loss, r, tt.r)
		}
		if mos := MOSFromRFactor(r); !near(mos, tt.mos, 5e-4) {
			t.Errorf("MOSFromRFactor(%v) = %v, want %v", r, mos, tt.mos)
		}
	}
}

func TestMOSIsClampedToItsScale(t *testing.T) {
	t.Parallel()
	for r, want := range map[float64]float64{-40: 1, 0: 1, 100: 4.5, 120: 4.5} {
		if got := MOSFromRFactor(r); got != want {
			t.Errorf("MOSFromRFactor(%v) = %v, want %v", r, got, want)
		}
	}
	// Total loss of a reachable-looking path is unusable, whatever the RTT.
	if got := MOSFromRFactor(RFactor(10, 1, 100)); got != 1 {
		t.Errorf("MOS at 100%% loss = %v, want 1", got)
	}
}

func TestLossPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sent, received int
		want           float64
		ok             bool
	}{
		{10, 10, 0, true},
		{10, 7, 30, true},
		{10, 0, 100, true}, // unreachable target
		{0, 0, 0, false},   // nothing timed out yet: nothing counts as sent
		{5, 6, 0, false},   // duplicates counted as replies
		{5, -1, 0, false},
	}
	for _, tt := range tests {
		got, ok := LossPercent(tt.sent, tt.received)
		if ok != tt.ok || !near(got, tt.want, 1e-12) {
			t.Errorf("LossPercent(%d, %d) = %v, %v; want %v, %v", tt.sent, tt.received, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHopLossPercentExcludesInTransit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sent, received, inTransit int
		want                      float64
		ok                        bool
	}{
		{10, 8, 0, 20, true},
		{10, 8, 2, 0, true}, // the two "missing" replies are still in flight
		{10, 6, 2, 25, true},
		{5, 0, 5, 0, false}, // everything in flight: no loss known yet
	}
	for _, tt := range tests {
		got, ok := HopLossPercent(tt.sent, tt.received, tt.inTransit)
		if ok != tt.ok || !near(got, tt.want, 1e-12) {
			t.Errorf("HopLossPercent(%d, %d, %d) = %v, %v; want %v, %v", tt.sent, tt.received, tt.inTransit, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJitterRFC3550(t *testing.T) {
	t.Parallel()
	// Sent every 20 ms; transit times 10, 12, 10, 15 ms, so |D| = 2, 2, 5:
	// J = 2/16 = 0.125; J += (2 − J)/16 = 0.2421875; J += (5 − J)/16 = 0.53955078125.
	sent := []float64{0, 20, 40, 60}
	received := []float64{10, 32, 50, 75}
	if got, ok := JitterRFC3550(sent, received); !ok || !near(got, 0.53955078125, 1e-12) {
		t.Errorf("JitterRFC3550 = %v, %v; want 0.53955078125", got, ok)
	}
	// A constant transit time is no jitter, however long it is.
	if got, ok := JitterRFC3550([]float64{0, 20, 40}, []float64{100, 120, 140}); !ok || got != 0 {
		t.Errorf("JitterRFC3550(constant transit) = %v, %v; want 0", got, ok)
	}
	if _, ok := JitterRFC3550([]float64{0, 20}, []float64{10}); ok {
		t.Error("JitterRFC3550 accepted mismatched timestamps")
	}
}

func TestCPUUsageBetween(t *testing.T) {
	t.Parallel()
	prev := CPUTimes{Busy: 100, Idle: 300}
	if got, ok := CPUUsageBetween(prev, CPUTimes{Busy: 130, Idle: 370}); !ok || !near(got, 30, 1e-12) {
		t.Errorf("CPUUsageBetween = %v, %v; want 30", got, ok)
	}
	for _, cur := range []CPUTimes{{Busy: 50, Idle: 400}, {Busy: 200, Idle: 10}, prev} {
		if got, ok := CPUUsageBetween(prev, cur); ok {
			t.Errorf("CPUUsageBetween(%+v, %+v) = %v, want no value", prev, cur, got)
		}
	}
}
