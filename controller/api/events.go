package api

// AgentEvents delivers configuration changes to connected agents. The
// agent socket implements it; without one, changes reach agents on their
// next poll.
type AgentEvents interface {
	// ProbesChanged pushes fresh probe lists to these agents if connected.
	ProbesChanged(agentIDs []int64)
	// Deactivate tells a connected agent to delete its credentials and stop.
	Deactivate(agentID int64, reason string)
}

type noAgentEvents struct{}

func (noAgentEvents) ProbesChanged([]int64)    {}
func (noAgentEvents) Deactivate(int64, string) {}

// WorkspaceEvents hears of every successful write inside a workspace
// (members, agents, probes, the workspace itself), so live views can
// follow: panel sockets re-check access, the network map is redrawn.
type WorkspaceEvents interface {
	Changed(workspaceID int64)
}

type noWorkspaceEvents struct{}

func (noWorkspaceEvents) Changed(int64) {}
