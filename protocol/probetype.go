package protocol

import "slices"

// Probe types (CONTRACT.md §5). Results carry the same names, except that an
// AGENT probe never reports as itself (see ResultTypes).
const (
	TypePing             = "PING"
	TypeMTR              = "MTR"
	TypeDNS              = "DNS"
	TypeHTTP             = "HTTP"
	TypeTLS              = "TLS"
	TypeSpeedtest        = "SPEEDTEST"
	TypeSpeedtestServers = "SPEEDTEST_SERVERS"
	TypeSysinfo          = "SYSINFO"
	TypeNetinfo          = "NETINFO"
	TypeTrafficSim       = "TRAFFICSIM"
	TypeAgent            = "AGENT"
)

var probeTypes = []string{
	TypePing, TypeMTR, TypeDNS, TypeHTTP, TypeTLS, TypeSpeedtest, TypeSpeedtestServers,
	TypeSysinfo, TypeNetinfo, TypeTrafficSim, TypeAgent,
}

// ProbeTypes lists every valid probe type.
func ProbeTypes() []string {
	return slices.Clone(probeTypes)
}

// IsProbeType reports whether t is a valid probe type (case-sensitive, as on the wire).
func IsProbeType(t string) bool {
	return slices.Contains(probeTypes, t)
}

// agentResultTypes are the probes an AGENT probe expands into for its target
// agent (PROTOCOL.md §4); their results keep the AGENT probe's id.
var agentResultTypes = []string{TypeMTR, TypePing, TypeTrafficSim}

// ResultTypes lists the result types a probe of type t produces: AGENT gives
// MTR, PING and TRAFFICSIM results, every other type its own. It is nil for
// an invalid type.
func ResultTypes(t string) []string {
	switch {
	case t == TypeAgent:
		return slices.Clone(agentResultTypes)
	case IsProbeType(t):
		return []string{t}
	default:
		return nil
	}
}
