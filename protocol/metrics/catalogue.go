package metrics

import (
	"slices"

	"github.com/netwatcher/netwatcher/protocol"
)

// Metric names that alert rules and charts use (METRICS.md, last table).
const (
	PacketLoss    = "packet_loss"
	Latency       = "latency"
	Jitter        = "jitter"
	MOS           = "mos"
	EndHopLoss    = "end_hop_loss"
	EndHopLatency = "end_hop_latency"
	HopCount      = "hop_count"
	RouteChange   = "route_change"
	DNSQueryTime  = "dns_query_time"
	DNSFailure    = "dns_failure"
	HTTPStatus    = "http_status"
	HTTPTotalMs   = "http_total_ms"
	HTTPTTFB      = "http_ttfb"
	HTTPFailure   = "http_failure"
	TLSExpiryDays = "tls_expiry_days"
	CPUUsage      = "cpu_usage"
	MemoryUsage   = "memory_usage"
	// Offline is measured on the agent, not on a result: minutes since it was last seen.
	Offline = "offline"
)

// Definition describes one metric.
type Definition struct {
	Name string
	Unit string // "%", "ms", "days", "min"; "" for counts, codes, flags and MOS
	// ResultTypes are the result types that carry the metric; none for Offline.
	ResultTypes []string
}

var definitions = []Definition{
	{PacketLoss, "%", []string{protocol.TypePing, protocol.TypeTrafficSim}},
	{Latency, "ms", []string{protocol.TypePing, protocol.TypeTrafficSim}},
	{Jitter, "ms", []string{protocol.TypePing, protocol.TypeTrafficSim}},
	{MOS, "", []string{protocol.TypePing, protocol.TypeTrafficSim}},
	{EndHopLoss, "%", []string{protocol.TypeMTR}},
	{EndHopLatency, "ms", []string{protocol.TypeMTR}},
	{HopCount, "", []string{protocol.TypeMTR}},
	{RouteChange, "", []string{protocol.TypeMTR}},
	{DNSQueryTime, "ms", []string{protocol.TypeDNS}},
	{DNSFailure, "", []string{protocol.TypeDNS}},
	{HTTPStatus, "", []string{protocol.TypeHTTP}},
	{HTTPTotalMs, "ms", []string{protocol.TypeHTTP}},
	{HTTPTTFB, "ms", []string{protocol.TypeHTTP}},
	{HTTPFailure, "", []string{protocol.TypeHTTP}},
	{TLSExpiryDays, "days", []string{protocol.TypeTLS, protocol.TypeHTTP}},
	{CPUUsage, "%", []string{protocol.TypeSysinfo}},
	{MemoryUsage, "%", []string{protocol.TypeSysinfo}},
	{Offline, "min", nil},
}

// Definitions lists every metric in METRICS.md's order. Callers must not
// modify the ResultTypes slices.
func Definitions() []Definition {
	return slices.Clone(definitions)
}

// IsMetric reports whether name is a metric an alert rule may use.
func IsMetric(name string) bool {
	return slices.ContainsFunc(definitions, func(d Definition) bool { return d.Name == name })
}

// Produces reports whether results of a probe of type probeType carry metric;
// an AGENT probe produces what its MTR, PING and TRAFFICSIM results carry.
// Offline belongs to no probe type.
func Produces(probeType, metric string) bool {
	i := slices.IndexFunc(definitions, func(d Definition) bool { return d.Name == metric })
	if i < 0 {
		return false
	}
	for _, resultType := range protocol.ResultTypes(probeType) {
		if slices.Contains(definitions[i].ResultTypes, resultType) {
			return true
		}
	}
	return false
}
