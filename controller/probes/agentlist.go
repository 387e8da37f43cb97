package probes

import (
	"context"
	"net"
	"slices"
	"strconv"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol"
)

// Fixed settings of the probes an AGENT probe expands into (PROTOCOL.md §4).
var (
	agentMTR  = Probe{Type: protocol.TypeMTR, IntervalSec: 300, TimeoutSec: 30, Count: 5}
	agentSim  = Probe{Type: protocol.TypeTrafficSim, IntervalSec: 60, TimeoutSec: 10}
	agentPing = Probe{Type: protocol.TypePing, IntervalSec: 60, TimeoutSec: 10, Count: 10}
)

// Settings of the virtual probes every list carries (id 0, no stored row).
var virtualProbes = []Probe{
	{Type: protocol.TypeNetinfo, IntervalSec: 300, TimeoutSec: 30},
	{Type: protocol.TypeSysinfo, IntervalSec: 60, TimeoutSec: 10},
	{Type: protocol.TypeSpeedtestServers, IntervalSec: 3600, TimeoutSec: 60},
	{Type: protocol.TypeSpeedtest, IntervalSec: 30, TimeoutSec: 120},
}

// SpeedtestIdle is the SPEEDTEST target meaning "nothing queued"; agents skip it.
const SpeedtestIdle = "ok"

// IncludePingKey in an AGENT probe's metadata adds a PING to its expansion.
const IncludePingKey = "include_ping"

// ListEnv supplies what a probe list needs from outside the probe tables.
type ListEnv struct {
	// PublicIP is an agent's address as other agents should reach it: its
	// public_ip_override, else its newest NETINFO public address if recent;
	// "" when unknown (such targets are left out).
	PublicIP func(ctx context.Context, a agents.Agent) string
	// SpeedtestTarget is the oldest pending speed-test server id, or SpeedtestIdle.
	SpeedtestTarget string
}

// ForAgent builds the probe list sent to an agent in probe_get: its enabled
// probes with agent targets resolved to addresses, AGENT probes expanded,
// its TRAFFICSIM server probe, and the virtual probes.
func ForAgent(ctx context.Context, conn store.Conn, self agents.Agent, env ListEnv) ([]Probe, error) {
	own, err := query(ctx, conn, `p.agent_id = ? AND p.workspace_id = ? AND p.enabled = ?`, self.ID, self.WorkspaceID, true)
	if err != nil {
		return nil, err
	}
	peers, err := agents.ListAll(ctx, conn, self.WorkspaceID)
	if err != nil {
		return nil, err
	}
	b := listBuilder{ctx: ctx, env: env, peers: map[int64]agents.Agent{}, addrs: map[int64]string{}}
	for _, a := range peers {
		b.peers[a.ID] = a
	}
	out := []Probe{}
	for _, p := range own {
		if p.Type == protocol.TypeAgent {
			out = append(out, b.expandAgentProbe(p)...)
		} else if resolved, ok := b.resolveTargets(p); ok {
			out = append(out, resolved)
		}
	}
	if self.TrafficSimEnabled {
		senders, err := ListTargetingAgent(ctx, conn, self.WorkspaceID, self.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, b.trafficSimServer(self, senders))
	}
	for _, v := range virtualProbes {
		v.WorkspaceID, v.AgentID, v.Enabled = self.WorkspaceID, self.ID, true
		v.CreatedAt, v.UpdatedAt = self.CreatedAt, self.UpdatedAt
		if v.Type == protocol.TypeSpeedtest {
			target := env.SpeedtestTarget
			if target == "" {
				target = SpeedtestIdle
			}
			v.Targets = []protocol.ProbeTarget{{Target: target, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}}
		}
		out = append(out, v)
	}
	return out, nil
}

type listBuilder struct {
	ctx   context.Context
	env   ListEnv
	peers map[int64]agents.Agent // live agents of the workspace
	addrs map[int64]string       // resolved public IPs, memoised
}

// addr is a peer's public IP, "" when the peer is gone or has none.
func (b *listBuilder) addr(id int64) string {
	if ip, ok := b.addrs[id]; ok {
		return ip
	}
	ip := ""
	if peer, ok := b.peers[id]; ok && b.env.PublicIP != nil {
		ip = b.env.PublicIP(b.ctx, peer)
	}
	b.addrs[id] = ip
	return ip
}

// resolveTargets fills agent targets with addresses, dropping those without
// one; a probe left without the targets it needs is dropped (ok false).
func (b *listBuilder) resolveTargets(p Probe) (Probe, bool) {
	targets := make([]protocol.ProbeTarget, 0, len(p.Targets))
	for _, t := range p.Targets {
		if t.AgentID != nil {
			if t.Target = b.addr(*t.AgentID); t.Target == "" {
				continue
			}
			if p.Type == protocol.TypeTrafficSim {
				t.Target = net.JoinHostPort(t.Target, strconv.Itoa(b.peers[*t.AgentID].TrafficSimPort))
			}
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 && len(p.Targets) > 0 {
		return Probe{}, false
	}
	p.Targets = targets
	return p, true
}

// expandAgentProbe turns an AGENT probe into MTR, TRAFFICSIM and optional
// PING probes per target agent, all keeping the AGENT probe's id.
func (b *listBuilder) expandAgentProbe(p Probe) []Probe {
	var out []Probe
	includePing := metadataField[bool](p.Metadata, IncludePingKey)
	for _, t := range p.Targets {
		if t.AgentID == nil {
			continue
		}
		peer, ip := b.peers[*t.AgentID], b.addr(*t.AgentID)
		if ip == "" {
			continue
		}
		derive := func(tmpl Probe, target string) Probe {
			d := p
			d.Type, d.IntervalSec, d.TimeoutSec, d.Count, d.DurationSec, d.Server = tmpl.Type, tmpl.IntervalSec, tmpl.TimeoutSec, tmpl.Count, 0, false
			t := t
			t.Target = target
			d.Targets = []protocol.ProbeTarget{t}
			return d
		}
		out = append(out, derive(agentMTR, ip))
		if peer.TrafficSimEnabled {
			out = append(out, derive(agentSim, net.JoinHostPort(ip, strconv.Itoa(peer.TrafficSimPort))))
		}
		if includePing {
			out = append(out, derive(agentPing, ip))
		}
	}
	return out
}

// trafficSimServer is the virtual TRAFFICSIM server probe of an agent: it
// listens on its port and accepts the agents whose probes send to it.
func (b *listBuilder) trafficSimServer(self agents.Agent, senders []Probe) Probe {
	p := Probe{WorkspaceID: self.WorkspaceID, AgentID: self.ID, Type: protocol.TypeTrafficSim, Enabled: true,
		IntervalSec: agentSim.IntervalSec, TimeoutSec: agentSim.TimeoutSec, Server: true,
		CreatedAt: self.CreatedAt, UpdatedAt: self.UpdatedAt}
	p.Targets = []protocol.ProbeTarget{{Target: net.JoinHostPort("0.0.0.0", strconv.Itoa(self.TrafficSimPort)),
		CreatedAt: self.CreatedAt, UpdatedAt: self.UpdatedAt}}
	var allowed []int64
	for _, s := range senders {
		if !s.Enabled || (s.Type != protocol.TypeAgent && s.Type != protocol.TypeTrafficSim) || slices.Contains(allowed, s.AgentID) {
			continue
		}
		ip := b.addr(s.AgentID)
		if ip == "" {
			continue
		}
		allowed = append(allowed, s.AgentID)
		id := s.AgentID
		p.Targets = append(p.Targets, protocol.ProbeTarget{Target: ip, AgentID: &id, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt})
	}
	return p
}
