package testenv

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/store"
)

// WithQuotas sets NETWATCHER_MAX_AGENTS_PER_WORKSPACE and
// NETWATCHER_MAX_PROBES_PER_AGENT (0 = unlimited).
func WithQuotas(maxAgentsPerWorkspace, maxProbesPerAgent int) Option {
	return func(c *config.Config) {
		c.MaxAgentsPerWorkspace = maxAgentsPerWorkspace
		c.MaxProbesPerAgent = maxProbesPerAgent
	}
}

// Agent is an agent created through the API, with its credentials.
type Agent struct {
	ID          int64
	WorkspaceID int64
	PIN         string // the PIN of the create answer (or of the last IssuePIN/Regenerate)
	PSK         string // set by Bootstrap
	JSON        map[string]any
}

// Path is the agent's management path, with optional extra segments.
func (a Agent) Path(rest ...string) string {
	p := fmt.Sprintf("/workspaces/%d/agents/%d", a.WorkspaceID, a.ID)
	for _, s := range rest {
		p += "/" + s
	}
	return p
}

// Headers are the PSK headers of the agent's own API.
func (a Agent) Headers() map[string]string {
	return map[string]string{
		"X-Workspace-ID": strconv.FormatInt(a.WorkspaceID, 10),
		"X-Agent-ID":     strconv.FormatInt(a.ID, 10),
		"X-Agent-PSK":    a.PSK,
	}
}

// CreateAgent creates an agent from body (a name is added when missing) and
// fails the test unless the answer is 201 {agent, pin}.
func (e *Env) CreateAgent(token string, workspaceID int64, body map[string]any) Agent {
	e.t.Helper()
	b := map[string]any{"name": "agent"}
	for k, v := range body {
		b[k] = v
	}
	var out struct {
		Agent map[string]any `json:"agent"`
		PIN   string         `json:"pin"`
	}
	e.Call(http.MethodPost, fmt.Sprintf("/workspaces/%d/agents", workspaceID), token, b, http.StatusCreated).JSON(e.t, &out)
	id, ok := out.Agent["id"].(float64)
	if !ok || out.PIN == "" {
		e.t.Fatalf("create agent: answer has no agent id or pin: %+v", out)
	}
	return Agent{ID: int64(id), WorkspaceID: workspaceID, PIN: out.PIN, JSON: out.Agent}
}

// NewAgent creates an agent with just a name.
func (e *Env) NewAgent(token string, workspaceID int64, name string) Agent {
	e.t.Helper()
	return e.CreateAgent(token, workspaceID, map[string]any{"name": name})
}

// AgentLogin posts body to POST /agent (the agents' login) with optional
// extra headers.
func (e *Env) AgentLogin(body any, header map[string]string) *Response {
	e.t.Helper()
	return e.Do(Request{Method: http.MethodPost, Path: "/agent", Body: body, Header: header})
}

// Bootstrap exchanges the agent's PIN for a PSK, stores it in a and returns it.
func (e *Env) Bootstrap(a *Agent) string {
	e.t.Helper()
	r := e.AgentLogin(map[string]any{"workspace_id": a.WorkspaceID, "agent_id": a.ID, "pin": a.PIN}, nil)
	if r.Status != http.StatusOK {
		e.t.Fatalf("bootstrap agent %d: status %d; body %s", a.ID, r.Status, r.Body)
	}
	var out struct {
		Status string `json:"status"`
		PSK    string `json:"psk"`
	}
	r.JSON(e.t, &out)
	if out.Status != "success" || out.PSK == "" {
		e.t.Fatalf("bootstrap agent %d: body %s", a.ID, r.Body)
	}
	a.PSK = out.PSK
	return out.PSK
}

// CreateProbe creates a probe on the agent and fails the test unless the
// answer is 201; it returns the probe.
func (e *Env) CreateProbe(token string, a Agent, body map[string]any) map[string]any {
	e.t.Helper()
	return e.Call(http.MethodPost, a.Path("probes"), token, body, http.StatusCreated).Map(e.t)
}

// ExpirePIN moves the agent's outstanding PIN expiry into the past, as if
// its TTL had run out (the shortest TTL the API allows is a minute).
func (e *Env) ExpirePIN(agentID int64) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := store.Open(ctx, e.Config.DatabaseURL, e.Config.DataDir)
	if err != nil {
		e.t.Fatalf("open the controller's database: %v", err)
	}
	defer db.Close()
	past := time.Now().Add(-time.Second).UnixMilli()
	if _, err := db.Exec(ctx, `UPDATE agents SET pin_expires_at = ? WHERE id = ? AND pin_hash IS NOT NULL`, past, agentID); err != nil {
		e.t.Fatalf("expire PIN of agent %d: %v", agentID, err)
	}
}
