package panelsock

import (
	"fmt"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// Access can change while a connection is open. Two paths end what is no
// longer allowed: the API publishes a "workspace changed" event after
// every write inside a workspace (members, agents, probes, the workspace
// itself), and each connection re-checks it at once; and every
// RecheckInterval a connection re-verifies its session and all of its
// workspaces, which also covers changes the API did not announce (another
// controller, an expired session).

// recheckAll re-verifies the session, then every subscribed workspace.
func (c *conn) recheckAll() {
	if _, err := c.h.cfg.Sessions.Verify(c.ctx, c.token); apperr.Is(err, apperr.Unauthorized) {
		c.end(errSessionEnded)
		return
	}
	for _, ws := range c.sub.Workspaces() {
		c.recheck(ws)
	}
}

// recheck ends the subscriptions to a workspace the user may no longer
// see (removed from it, or it was deleted). A failed check keeps them:
// the next one decides.
func (c *conn) recheck(workspaceID int64) {
	err := c.checkAccess(workspaceID)
	switch {
	case err == nil:
	case apperr.Is(err, apperr.NotFound):
		c.sub.RemoveWorkspace(workspaceID)
		c.replyError(workspaceID, fmt.Sprintf("subscriptions to workspace %d ended: it was deleted or you are no longer a member", workspaceID))
	default:
		c.h.cfg.Log.Warn("panel socket: could not re-check workspace access", "workspace_id", workspaceID, "user_id", c.user, "err", err)
	}
}
