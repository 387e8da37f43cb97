package networkmap

import (
	"context"
	"slices"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// Builder draws maps from the metadata and probe-data stores.
type Builder struct {
	DB   *store.DB
	Data probedata.Store
	// Online reports whether an agent is connected now.
	Online func(agentID int64) bool
}

// drawnTypes are the probe types with targets to draw; SYSINFO, NETINFO
// and speed tests have none.
var drawnTypes = []string{protocol.TypePing, protocol.TypeMTR, protocol.TypeDNS, protocol.TypeHTTP,
	protocol.TypeTLS, protocol.TypeTrafficSim, protocol.TypeAgent}

// Build draws the workspace's map (the caller has checked access).
// Agent-to-agent probes give edges between agent nodes. A probe with an
// MTR result draws its newest path: agent → each answering hop → target,
// the last TTL being the target itself; silent TTLs are skipped, and each
// step carries the loss and mean RTT of the hop it reaches. Other probes
// (and MTR probes without a path yet) give one direct edge with the
// latency and loss of their newest result.
func (b *Builder) Build(ctx context.Context, workspaceID int64) (Map, error) {
	generated := time.Now().UTC()
	ags, err := agents.ListAll(ctx, b.DB, workspaceID)
	if err != nil {
		return Map{}, err
	}
	list, err := probes.ListByWorkspace(ctx, b.DB, workspaceID)
	if err != nil {
		return Map{}, err
	}
	list = slices.DeleteFunc(list, func(p probes.Probe) bool { return !slices.Contains(drawnTypes, p.Type) })
	results, err := newestResults(ctx, b.Data, workspaceID, list)
	if err != nil {
		return Map{}, err
	}
	g := newGraph()
	for _, a := range ags {
		online := b.Online(a.ID)
		g.node(Node{ID: agentNodeID(a.ID), Type: NodeAgent, Label: a.Name, AgentID: a.ID, Online: &online})
	}
	for _, p := range list {
		from := agentNodeID(p.AgentID)
		if _, ok := g.nodes[from]; !ok {
			continue
		}
		for i, t := range p.Targets {
			to, ok := targetNode(g, t)
			if !ok {
				continue
			}
			drawProbe(g, p, from, to, results.of(p, i))
		}
	}
	return Map{WorkspaceID: workspaceID, GeneratedAt: generated, Nodes: g.sortedNodes(), Edges: append([]Edge{}, g.edges...)}, nil
}

// targetNode is the node of a probe target: an agent of the workspace
// (already drawn) or a literal target.
func targetNode(g *graph, t protocol.ProbeTarget) (string, bool) {
	if t.AgentID != nil {
		id := agentNodeID(*t.AgentID)
		_, ok := g.nodes[id]
		return id, ok
	}
	if t.Target == "" {
		return "", false
	}
	return g.node(Node{ID: NodeTarget + ":" + t.Target, Type: NodeTarget, Label: t.Target}), true
}

// drawProbe adds the edges of one probe target, given its newest results
// by type.
func drawProbe(g *graph, p probes.Probe, from, to string, newest map[string]probedata.Row) {
	var hops []metrics.Hop
	if r, ok := newest[protocol.TypeMTR]; ok {
		hops, _ = metrics.MTRHops(r.Payload) // stored payloads were validated; a bad one draws no path
	}
	if p.Type != protocol.TypeMTR || len(hops) == 0 {
		e := Edge{From: from, To: to, ProbeID: p.ID, ProbeType: p.Type}
		if r, ok := latestOf(newest); ok {
			e.LatencyMs, e.LossPct = edgeStats(r)
		}
		g.edge(e)
	}
	prev := []string{from}
	for i, h := range hops {
		var layer []string
		switch {
		case i == len(hops)-1:
			layer = []string{to}
		case len(h.Responders) == 0:
			continue
		default:
			for _, ip := range h.Responders {
				layer = append(layer, g.node(Node{ID: NodeHop + ":" + ip, Type: NodeHop, Label: ip}))
			}
		}
		for _, f := range prev {
			for _, t := range layer {
				g.edge(Edge{From: f, To: t, ProbeID: p.ID, ProbeType: protocol.TypeMTR, LatencyMs: h.AvgMs, LossPct: h.LossPct})
			}
		}
		prev = layer
	}
}

// latestOf is the newest of a target's results, whatever their type.
func latestOf(newest map[string]probedata.Row) (probedata.Row, bool) {
	var out probedata.Row
	found := false
	for _, r := range newest {
		if !found || r.CreatedAt.After(out.CreatedAt) || (r.CreatedAt.Equal(out.CreatedAt) && r.ID > out.ID) {
			out, found = r, true
		}
	}
	return out, found
}

// edgeStats are the latency and loss a result reports, by its type.
func edgeStats(r probedata.Row) (latency, loss *float64) {
	m := r.Metrics
	switch r.Type {
	case protocol.TypePing, protocol.TypeTrafficSim:
		return m.Latency, m.PacketLoss
	case protocol.TypeMTR:
		return m.EndHopLatency, m.EndHopLoss
	case protocol.TypeHTTP:
		return m.HTTPTotalMs, nil
	case protocol.TypeDNS:
		return m.DNSQueryTime, nil
	default:
		return nil, nil
	}
}
