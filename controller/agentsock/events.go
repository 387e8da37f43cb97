package agentsock

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// handlers are the agent namespace's events (PROTOCOL.md §3). A handler
// returns the reply body, or an error that is echoed back with isError=1.
// probe_post is not here: its reply waits for the commit.
var handlers = map[string]struct {
	reply string
	fn    func(c *conn, body []byte) ([]byte, error)
}{
	protocol.EventProbeGet:          {protocol.EventProbeGet, (*conn).probeList},
	protocol.EventVersion:           {protocol.EventVersion, (*conn).version},
	protocol.EventPing:              {protocol.EventPong, func(*conn, []byte) ([]byte, error) { return []byte(protocol.ReplyOK), nil }},
	protocol.EventSpeedtestServers:  {protocol.EventSpeedtestServersOK, (*conn).speedtestServers},
	protocol.EventSpeedtestQueueGet: {protocol.EventSpeedtestQueue, (*conn).speedtestQueue},
	protocol.EventSpeedtestResult:   {protocol.EventSpeedtestResultOK, (*conn).speedtestResult},
}

// handle processes one frame. Malformed frames, frames for namespaces the
// agent has not joined and unknown events are dropped, as neffos does.
func (c *conn) handle(frame []byte) {
	m, err := neffos.Parse(frame)
	if err != nil {
		c.hub.cfg.Log.Debug("dropping malformed agent frame", "agent_id", c.agent.ID, "err", err)
		return
	}
	switch {
	case m.Event == neffos.OnNamespaceConnect:
		c.namespaceConnect(m)
		return
	case m.Event == neffos.OnNamespaceDisconnect:
		if m.Namespace == protocol.NamespaceAgent {
			c.joined.Store(false)
		}
		if m.Wait != "" && !m.IsNoOp {
			c.send(neffos.EmptyReply(m.Wait))
		}
		return
	case m.Namespace != protocol.NamespaceAgent || !c.joined.Load():
		return
	case m.Wait == "" && m.IsError:
		return // an error reply from the agent to something we sent
	}
	if m.Event == protocol.EventProbePost {
		c.probePost(m)
		return
	}
	h, ok := handlers[m.Event]
	if !ok {
		return
	}
	body, err := h.fn(c, m.Body)
	if err != nil {
		c.replyError(m, err)
		return
	}
	c.reply(m, h.reply, body)
}

func (c *conn) namespaceConnect(m neffos.Message) {
	if m.Namespace != protocol.NamespaceAgent {
		c.send(neffos.Message{Wait: m.Wait, Namespace: m.Namespace, Event: m.Event, IsError: true,
			Body: []byte(neffos.BadNamespace)}.Marshal())
		return
	}
	c.joined.Store(true)
	if !m.IsNoOp {
		c.send(neffos.EmptyReply(m.Wait))
	}
}

// reply answers m with event: to its wait when it has one (a neffos Ask),
// else as a fire-and-forget message, which is what deployed agents expect.
func (c *conn) reply(m neffos.Message, event string, body []byte) {
	c.send(neffos.Message{Wait: m.Wait, Namespace: protocol.NamespaceAgent, Event: event, Body: body}.Marshal())
}

// replyError echoes m's event back with the error text.
func (c *conn) replyError(m neffos.Message, err error) {
	c.send(neffos.Message{Wait: m.Wait, Namespace: protocol.NamespaceAgent, Event: m.Event, IsError: true,
		Body: []byte(err.Error())}.Marshal())
}

// probeList builds the agent's probe list (also pushed on changes).
func (c *conn) probeList([]byte) ([]byte, error) {
	return c.buildProbeList(c.ctx)
}

func (c *conn) buildProbeList(ctx context.Context) ([]byte, error) {
	target, err := c.hub.cfg.Speedtest.OldestPending(ctx, c.agent.ID)
	if err != nil {
		return nil, fmt.Errorf("server error: %w", err)
	}
	list, err := probes.ForAgent(ctx, c.hub.cfg.DB, c.agent, probes.ListEnv{PublicIP: c.hub.ips.of, SpeedtestTarget: target})
	if err != nil {
		return nil, fmt.Errorf("server error: %w", err)
	}
	return json.Marshal(list)
}

// pushProbes sends a fresh probe list unprompted; deployed agents apply it
// like a reply.
func (c *conn) pushProbes() {
	if !c.joined.Load() {
		return
	}
	body, err := c.buildProbeList(c.ctx)
	if err != nil {
		c.hub.cfg.Log.Warn("could not push probe list", "agent_id", c.agent.ID, "err", err)
		return
	}
	c.send(neffos.Message{Namespace: protocol.NamespaceAgent, Event: protocol.EventProbeGet, Body: body}.Marshal())
}

func (c *conn) version(body []byte) ([]byte, error) {
	var v struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("invalid version body: %w", err)
	}
	if err := c.hub.cfg.Agents.SetVersion(c.ctx, c.agent.ID, v.Version); err != nil {
		return nil, fmt.Errorf("server error: %w", err)
	}
	return []byte(protocol.VersionOK), nil
}

func (c *conn) speedtestServers(body []byte) ([]byte, error) {
	if err := c.hub.cfg.Speedtest.SaveServers(c.ctx, c.agent.ID, body); err != nil {
		return nil, err
	}
	return []byte(protocol.ReplyOK), nil
}

func (c *conn) speedtestQueue([]byte) ([]byte, error) {
	items, err := c.hub.cfg.Speedtest.HandOut(c.ctx, c.agent.ID)
	if err != nil {
		return nil, fmt.Errorf("server error: %w", err)
	}
	return json.Marshal(items)
}
