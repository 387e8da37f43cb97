package agentsock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/metrics"
	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// probeAccess is what probe_post needs to know about a probe id for this
// agent; allowed false caches a refusal so bad ids cost one lookup.
type probeAccess struct {
	allowed     bool
	owner       int64
	probeType   string
	agentTarget int64 // the probe's single target agent, 0 if none or several
}

// virtualResultTypes may be posted with probe_id 0.
var virtualResultTypes = []string{protocol.TypeNetinfo, protocol.TypeSysinfo, protocol.TypeSpeedtest,
	protocol.TypeSpeedtestServers, protocol.TypeTrafficSim}

func (c *conn) invalidateProbes() {
	c.probesMu.Lock()
	c.probes = nil
	c.probesMu.Unlock()
}

// access says whether this agent may report results for probeID: it must
// own the probe or be one of its target agents.
func (c *conn) access(ctx context.Context, probeID int64) (probeAccess, error) {
	c.probesMu.Lock()
	acc, ok := c.probes[probeID]
	c.probesMu.Unlock()
	if ok {
		return acc, nil
	}
	p, err := probes.GetInWorkspace(ctx, c.hub.cfg.DB, c.agent.WorkspaceID, probeID)
	switch {
	case apperr.Is(err, apperr.NotFound):
	case err != nil:
		return probeAccess{}, err
	default:
		var targets []int64
		for _, t := range p.Targets {
			if t.AgentID != nil {
				targets = append(targets, *t.AgentID)
			}
		}
		acc = probeAccess{owner: p.AgentID, probeType: p.Type,
			allowed: p.AgentID == c.agent.ID || slices.Contains(targets, c.agent.ID)}
		if len(targets) == 1 {
			acc.agentTarget = targets[0]
		}
	}
	c.probesMu.Lock()
	if c.probes == nil {
		c.probes = map[int64]probeAccess{}
	}
	c.probes[probeID] = acc
	c.probesMu.Unlock()
	return acc, nil
}

// row validates a posted result and turns it into a stored row. The
// reporter is the authenticated agent, never a field of the body.
func (c *conn) row(ctx context.Context, body []byte) (probedata.Row, error) {
	var pd protocol.ProbeData
	if err := json.Unmarshal(body, &pd); err != nil {
		return probedata.Row{}, fmt.Errorf("invalid probe data: %v", err)
	}
	r := probedata.Row{WorkspaceID: c.agent.WorkspaceID, ProbeID: pd.ProbeID, AgentID: c.agent.ID, Type: pd.Type,
		Target: pd.Target, TargetAgent: pd.TargetAgent, Triggered: pd.Triggered, TriggeredReason: pd.TriggeredReason,
		CreatedAt: pd.CreatedAt.UTC(), UID: pd.UID, Payload: pd.Payload}
	if len(r.UID) > 128 {
		return probedata.Row{}, errors.New("invalid probe data: uid longer than 128 characters")
	}
	if pd.ProbeID == 0 {
		if !slices.Contains(virtualResultTypes, pd.Type) {
			return probedata.Row{}, fmt.Errorf("invalid probe data: type %q needs a probe_id", pd.Type)
		}
		r.ProbeAgentID = c.agent.ID
	} else {
		acc, err := c.access(ctx, pd.ProbeID)
		if err != nil {
			return probedata.Row{}, fmt.Errorf("server error: %w", err)
		}
		if !acc.allowed {
			return probedata.Row{}, fmt.Errorf("probe %d does not belong to this agent", pd.ProbeID)
		}
		if !slices.Contains(protocol.ResultTypes(acc.probeType), pd.Type) {
			return probedata.Row{}, fmt.Errorf("invalid probe data: a %s probe does not produce %q results", acc.probeType, pd.Type)
		}
		r.ProbeAgentID = acc.owner
		if r.TargetAgent == 0 {
			r.TargetAgent = acc.agentTarget
		}
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().UTC()
	}
	values, err := metrics.Extract(pd.Type, pd.Payload)
	if err != nil {
		return probedata.Row{}, err
	}
	r.Metrics, r.Path = values, values.Path.String()
	return r, nil
}

// probePost validates a result and queues it. The acknowledgement is sent
// after the batch holding it commits; while the queue is full this reader
// waits (back-pressure on the socket) for at most IngestTimeout.
func (c *conn) probePost(m neffos.Message) {
	r, err := c.row(c.ctx, m.Body)
	if err != nil {
		c.replyError(m, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.hub.cfg.IngestTimeout)
	defer cancel()
	err = c.hub.cfg.Pipeline.Submit(ctx, r, func(err error) {
		if err != nil {
			c.replyError(m, errors.New("not stored, please resend"))
			return
		}
		c.reply(m, protocol.EventProbePostOK, []byte(protocol.ReplyOK))
	})
	if err != nil {
		c.replyError(m, fmt.Errorf("not accepted, please resend: %w", err))
	}
}

// speedtestResult records the outcome of a queued test; its data is stored
// as a SPEEDTEST result of the agent.
func (c *conn) speedtestResult(body []byte) ([]byte, error) {
	var res struct {
		QueueID int64           `json:"queue_id"`
		Success bool            `json:"success"`
		Error   string          `json:"error"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("invalid speedtest_result: %v", err)
	}
	if res.Success && len(res.Data) > 0 && string(res.Data) != "null" {
		values, err := metrics.Extract(protocol.TypeSpeedtest, res.Data)
		if err != nil {
			return nil, err
		}
		row := probedata.Row{WorkspaceID: c.agent.WorkspaceID, ProbeAgentID: c.agent.ID, AgentID: c.agent.ID,
			Type: protocol.TypeSpeedtest, CreatedAt: time.Now().UTC(), Payload: res.Data, Metrics: values,
			UID: fmt.Sprintf("speedtest-queue-%d", res.QueueID)}
		ctx, cancel := context.WithTimeout(c.ctx, c.hub.cfg.IngestTimeout)
		defer cancel()
		stored := make(chan error, 1)
		if err := c.hub.cfg.Pipeline.Submit(ctx, row, func(err error) { stored <- err }); err != nil {
			return nil, fmt.Errorf("not accepted, please resend: %w", err)
		}
		select {
		case err := <-stored:
			if err != nil {
				return nil, errors.New("not stored, please resend")
			}
		case <-ctx.Done():
			return nil, errors.New("not stored in time, please resend")
		}
	}
	if _, err := c.hub.cfg.Speedtest.Finish(c.ctx, c.agent.ID, res.QueueID, res.Success, res.Error); err != nil {
		return nil, err
	}
	return []byte(protocol.ReplyOK), nil
}
