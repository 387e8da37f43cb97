package networkmap

import (
	"cmp"
	"slices"
	"strconv"
)

func agentNodeID(id int64) string { return "agent:" + strconv.FormatInt(id, 10) }

// graph collects nodes and edges without duplicates.
type graph struct {
	nodes map[string]Node
	edges []Edge
	seen  map[edgeKey]bool
}

type edgeKey struct {
	from, to  string
	probeID   int64
	probeType string
}

func newGraph() *graph {
	return &graph{nodes: map[string]Node{}, seen: map[edgeKey]bool{}}
}

// node adds n (once) and returns its id.
func (g *graph) node(n Node) string {
	if _, ok := g.nodes[n.ID]; !ok {
		g.nodes[n.ID] = n
	}
	return n.ID
}

// edge adds e unless the same step of the same probe is already there or
// it would loop on one node.
func (g *graph) edge(e Edge) {
	k := edgeKey{e.From, e.To, e.ProbeID, e.ProbeType}
	if e.From == e.To || g.seen[k] {
		return
	}
	g.seen[k] = true
	g.edges = append(g.edges, e)
}

var nodeOrder = map[string]int{NodeAgent: 0, NodeTarget: 1, NodeHop: 2}

// sortedNodes lists agents (by id), then targets, then hops (by label).
func (g *graph) sortedNodes() []Node {
	out := make([]Node, 0, len(g.nodes))
	for _, n := range g.nodes {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Node) int {
		return cmp.Or(cmp.Compare(nodeOrder[a.Type], nodeOrder[b.Type]), cmp.Compare(a.AgentID, b.AgentID), cmp.Compare(a.Label, b.Label))
	})
	return out
}
