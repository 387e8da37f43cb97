package metrics

// CPUTimes is a SYSINFO sample's cumulative CPU counters (nanoseconds since
// boot, all cores), reduced to what cpu_usage needs.
type CPUTimes struct {
	Busy float64 // user, system, nice, irq, soft_irq, steal
	Idle float64 // idle and iowait: the CPU had nothing to run
}

// CPUUsageBetween is cpu_usage: the busy share (%) of the CPU time that passed
// between two samples of the same agent. It has no value when a counter went
// backwards (a reboot) or no time passed.
func CPUUsageBetween(prev, cur CPUTimes) (float64, bool) {
	busy, idle := cur.Busy-prev.Busy, cur.Idle-prev.Idle
	if busy < 0 || idle < 0 || busy+idle <= 0 {
		return 0, false
	}
	return 100 * busy / (busy + idle), true
}
