package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/sync/errgroup"
)

// Fleet is a workspace of bootstrapped agents, each with a PING and an MTR
// probe.
// It is saved to a state file so later runs skip the setup.
type Fleet struct {
	URL         string       `json:"url"`
	WorkspaceID int64        `json:"workspace_id"`
	Token       string       `json:"token"` // the owner's, for panel sockets
	Agents      []FleetAgent `json:"agents"`
}

// FleetAgent is one simulated agent's credentials and probe.
type FleetAgent struct {
	ID         int64  `json:"id"`
	PSK        string `json:"psk"`
	ProbeID    int64  `json:"probe_id"`     // PING
	MTRProbeID int64  `json:"mtr_probe_id"` // MTR
	Target     string `json:"target"`
}

// client talks to the controller's REST API.
type client struct {
	base  string
	token string
	http  *http.Client
}

func (c *client) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// loadOrCreateFleet reuses the fleet in statePath when it matches url and
// has at least n agents; otherwise it registers a user and creates one.
func loadOrCreateFleet(ctx context.Context, url, statePath string, n int, progress func(done int)) (Fleet, error) {
	if statePath != "" {
		if data, err := os.ReadFile(statePath); err == nil {
			var f Fleet
			if json.Unmarshal(data, &f) == nil && f.URL == url && len(f.Agents) >= n {
				f.Agents = f.Agents[:n]
				return f, nil
			}
		}
	}
	f, err := createFleet(ctx, url, n, progress)
	if err != nil {
		return Fleet{}, err
	}
	if statePath != "" {
		data, _ := json.MarshalIndent(f, "", " ")
		if err := os.WriteFile(statePath, data, 0o600); err != nil {
			return Fleet{}, fmt.Errorf("save fleet state: %w", err)
		}
	}
	return f, nil
}

func createFleet(ctx context.Context, url string, n int, progress func(done int)) (Fleet, error) {
	c := &client{base: url, http: &http.Client{Timeout: 30 * time.Second}}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	var login struct {
		Token string `json:"token"`
	}
	email := "bench-" + hex.EncodeToString(suffix) + "@bench.invalid"
	if err := c.call(ctx, "POST", "/auth/register", map[string]string{"email": email, "password": "bench-" + hex.EncodeToString(suffix), "name": "bench"}, &login); err != nil {
		return Fleet{}, fmt.Errorf("register bench user (is NETWATCHER_AUTH_RATE_LIMIT=0 set for load tests?): %w", err)
	}
	c.token = login.Token
	var ws struct {
		ID int64 `json:"id"`
	}
	if err := c.call(ctx, "POST", "/workspaces", map[string]string{"name": "bench " + time.Now().Format(time.RFC3339)}, &ws); err != nil {
		return Fleet{}, err
	}
	f := Fleet{URL: url, WorkspaceID: ws.ID, Token: login.Token, Agents: make([]FleetAgent, n)}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	done := make(chan struct{}, n)
	go func() {
		count := 0
		for range done {
			count++
			progress(count)
		}
	}()
	for i := range f.Agents {
		g.Go(func() error {
			a, err := createAgent(gctx, c, ws.ID, i)
			if err == nil {
				f.Agents[i] = a
				done <- struct{}{}
			}
			return err
		})
	}
	err := g.Wait()
	close(done)
	return f, err
}

func createAgent(ctx context.Context, c *client, workspaceID int64, i int) (FleetAgent, error) {
	var created struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
		PIN string `json:"pin"`
	}
	path := fmt.Sprintf("/workspaces/%d/agents", workspaceID)
	if err := c.call(ctx, "POST", path, map[string]any{"name": fmt.Sprintf("bench-%05d", i)}, &created); err != nil {
		return FleetAgent{}, err
	}
	var boot struct {
		PSK string `json:"psk"`
	}
	if err := c.call(ctx, "POST", "/agent", map[string]any{"workspace_id": workspaceID, "agent_id": created.Agent.ID, "pin": created.PIN}, &boot); err != nil {
		return FleetAgent{}, err
	}
	a := FleetAgent{ID: created.Agent.ID, PSK: boot.PSK, Target: fmt.Sprintf("192.0.2.%d", 1+i%250)}
	for _, p := range []struct {
		typ string
		id  *int64
	}{{"PING", &a.ProbeID}, {"MTR", &a.MTRProbeID}} {
		var probe struct {
			ID int64 `json:"id"`
		}
		if err := c.call(ctx, "POST", fmt.Sprintf("%s/%d/probes", path, a.ID), map[string]any{"type": p.typ, "targets": []string{a.Target}}, &probe); err != nil {
			return FleetAgent{}, err
		}
		*p.id = probe.ID
	}
	return a, nil
}
