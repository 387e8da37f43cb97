package bench

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/kataras/neffos"
	"github.com/kataras/neffos/gobwas"

	"github.com/netwatcher/netwatcher/protocol"
)

// simAgent is one simulated agent: the real neffos client, as deployed
// agents use it, joined to the agent namespace.
type simAgent struct {
	FleetAgent
	client *neffos.Client
	ns     *neffos.NSConn
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
	ignore := func(*neffos.NSConn, neffos.Message) error { return nil }
	client, err := neffos.Dial(ctx, gobwas.Dialer(gobwas.Options{Header: gobwas.Header(h)}), wsURL(url),
		neffos.Namespaces{protocol.NamespaceAgent: neffos.Events{neffos.OnAnyEvent: ignore}})
	if err != nil {
		return nil, err
	}
	ns, err := client.Connect(ctx, protocol.NamespaceAgent)
	if err != nil {
		client.Close()
		return nil, err
	}
	return &simAgent{FleetAgent: a, client: client, ns: ns}, nil
}
