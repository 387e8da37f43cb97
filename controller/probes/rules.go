package probes

import (
	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/protocol"
)

// typeRule says what a probe type accepts. One table, so adding a type
// touches one line.
type typeRule struct {
	literal      func(string) (string, error) // nil: literal targets not allowed
	agentTargets bool                         // agent ids allowed as targets
	needsTarget  bool                         // at least one target required
	defaultCount int
}

var rules = map[string]typeRule{
	protocol.TypePing:             {literal: normalizeHost, agentTargets: true, needsTarget: true, defaultCount: 10},
	protocol.TypeMTR:              {literal: normalizeHost, agentTargets: true, needsTarget: true, defaultCount: 5},
	protocol.TypeDNS:              {literal: normalizeDNSName, needsTarget: true},
	protocol.TypeHTTP:             {literal: normalizeURL, needsTarget: true},
	protocol.TypeTLS:              {literal: hostPort(443), needsTarget: true},
	protocol.TypeTrafficSim:       {literal: hostPort(0), agentTargets: true},
	protocol.TypeAgent:            {agentTargets: true, needsTarget: true},
	protocol.TypeSpeedtest:        {literal: normalizeToken},
	protocol.TypeSpeedtestServers: {},
	protocol.TypeSysinfo:          {},
	protocol.TypeNetinfo:          {},
}

func ruleFor(typ string) (typeRule, error) {
	r, ok := rules[typ]
	if !ok {
		return typeRule{}, apperr.Invalidf("type %q is not one of PING, MTR, DNS, HTTP, TLS, SPEEDTEST, SPEEDTEST_SERVERS, SYSINFO, NETINFO, TRAFFICSIM, AGENT", typ)
	}
	return r, nil
}

// Settings bounds.
const (
	DefaultInterval = 60
	MinInterval     = 5
	MaxInterval     = 86400
	DefaultTimeout  = 10
	MaxTimeout      = 3600
	MaxCount        = 1000
	MaxDuration     = 3600
	maxTargets      = 100
)

// checkRange reports a setting outside [lo, hi].
func checkRange(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return apperr.Invalidf("%s must be %d-%d", field, lo, hi)
	}
	return nil
}
