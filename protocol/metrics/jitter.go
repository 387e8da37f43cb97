package metrics

import "math"

// JitterMeanDelta is NetWatcher's default jitter (payload names `jitter`,
// `jitterAvg`): the mean of |RTT_i − RTT_{i−1}| over consecutive replies, as
// mtr's Javg and IPDV-style meters compute it. It needs two replies, in the
// order they were sent.
func JitterMeanDelta(rtts []float64) (float64, bool) {
	if len(rtts) < 2 {
		return 0, false
	}
	var sum float64
	for i := 1; i < len(rtts); i++ {
		sum += math.Abs(rtts[i] - rtts[i-1])
	}
	return sum / float64(len(rtts)-1), true
}

// JitterRFC3550 is the RFC 3550 §6.4.1 interarrival jitter (payload name
// `rfc3550Jitter`), a one-way measure that needs the sender's timestamps:
// for packets in arrival order, D = (R_i − R_{i−1}) − (S_i − S_{i−1}) and
// J += (|D| − J)/16, starting from J = 0. sent and received hold S and R in
// one unit; it needs two packets.
func JitterRFC3550(sent, received []float64) (float64, bool) {
	if len(sent) < 2 || len(sent) != len(received) {
		return 0, false
	}
	var j float64
	for i := 1; i < len(sent); i++ {
		d := (received[i] - received[i-1]) - (sent[i] - sent[i-1])
		j += (math.Abs(d) - j) / 16
	}
	return j, true
}
