package agentsock

import (
	"context"
	"encoding/json"
	"net/netip"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/protocol"
)

// netinfoFreshness is how recent a NETINFO must be for its public address
// to be handed to other agents as this agent's address.
const netinfoFreshness = time.Hour

// publicIPs remembers each agent's newest NETINFO public address, learned
// from ingest and, on a miss, read once from the store.
type publicIPs struct {
	data probedata.Store
	mu   sync.Mutex
	seen map[int64]observedIP
}

type observedIP struct {
	ip string
	at time.Time // when the NETINFO was received; zero: none known
}

func newPublicIPs(data probedata.Store) *publicIPs {
	return &publicIPs{data: data, seen: map[int64]observedIP{}}
}

func netinfoAddress(payload json.RawMessage) string {
	var p struct {
		PublicAddress string `json:"public_address"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	addr, err := netip.ParseAddr(p.PublicAddress)
	if err != nil {
		return ""
	}
	return addr.Unmap().String()
}

func (p *publicIPs) observe(r probedata.Row) {
	if ip := netinfoAddress(r.Payload); ip != "" {
		p.mu.Lock()
		p.seen[r.AgentID] = observedIP{ip: ip, at: r.ReceivedAt}
		p.mu.Unlock()
	}
}

// of returns an agent's address for other agents, "" when unknown.
func (p *publicIPs) of(ctx context.Context, a agents.Agent) string {
	if a.PublicIPOverride != "" {
		return a.PublicIPOverride
	}
	p.mu.Lock()
	obs, ok := p.seen[a.ID]
	p.mu.Unlock()
	if !ok {
		obs = p.load(ctx, a)
	}
	if obs.ip == "" || time.Since(obs.at) > netinfoFreshness {
		return ""
	}
	return obs.ip
}

func (p *publicIPs) load(ctx context.Context, a agents.Agent) observedIP {
	var obs observedIP
	if p.data != nil {
		probeID := int64(0)
		rows, err := p.data.Find(ctx, probedata.Query{WorkspaceID: a.WorkspaceID, AgentID: a.ID, ProbeID: &probeID,
			Type: protocol.TypeNetinfo, From: time.Now().Add(-netinfoFreshness), Limit: 1})
		if err == nil && len(rows) > 0 {
			obs = observedIP{ip: netinfoAddress(rows[0].Payload), at: rows[0].ReceivedAt}
		}
		if err != nil {
			return obs // do not remember a failed lookup
		}
	}
	p.mu.Lock()
	if _, raced := p.seen[a.ID]; !raced {
		p.seen[a.ID] = obs
	}
	p.mu.Unlock()
	return obs
}
