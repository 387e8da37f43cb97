package bench

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// simAgent is one simulated agent: a real WebSocket speaking the neffos
// protocol, joined to the agent namespace. Requests carry unique wait
// tokens, so post→ack latencies are measured per result.
type simAgent struct {
	FleetAgent
	conn *neffos.Client
}

// wsURL turns the controller's http(s) URL into its agent socket URL.
func wsURL(base string) string {
	return "ws" + strings.TrimPrefix(strings.TrimSuffix(base, "/"), "http") + "/ws/agent"
}

func dialAgent(ctx context.Context, url string, workspaceID int64, a FleetAgent) (*simAgent, error) {
	h := http.Header{}
	h.Set("X-Workspace-ID", strconv.FormatInt(workspaceID, 10))
	h.Set("X-Agent-ID", strconv.FormatInt(a.ID, 10))
	h.Set("X-Agent-PSK", a.PSK)
	conn, err := neffos.Dial(ctx, wsURL(url), h, protocol.NamespaceAgent, nil)
	if err != nil {
		return nil, err
	}
	return &simAgent{FleetAgent: a, conn: conn}, nil
}

// post sends one result and waits for its acknowledgement.
func (a *simAgent) post(ctx context.Context, body []byte) error {
	reply, err := a.conn.Ask(ctx, neffos.Message{Namespace: protocol.NamespaceAgent, Event: protocol.EventProbePost, Body: body})
	if err != nil {
		return err
	}
	if reply.IsError {
		return errorReply(reply.Body)
	}
	return nil
}

type errorReply []byte

func (e errorReply) Error() string { return string(e) }
