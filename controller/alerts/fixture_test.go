package alerts_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/controller/users"
	"github.com/netwatcher/netwatcher/controller/workspace"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// fixture is a migrated database with a user, a workspace and an alerting
// service whose clock the test moves.
type fixture struct {
	t      testing.TB
	ctx    context.Context
	db     *store.DB
	svc    *alerts.Service
	user   users.User
	ws     int64
	agents *agents.Service
	probes *probes.Service
	clock  *clock
	panel  *panel
}

// forEachBackend runs fn on SQLite and (when configured) PostgreSQL.
func forEachBackend(t *testing.T, fn func(t *testing.T, b testenv.Backend)) {
	for _, b := range testenv.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

func newFixture(t testing.TB, b testenv.Backend, cfg alerts.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DatabaseURL(t, b), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := users.Create(ctx, db, users.NewUser{Email: "owner@example.com", Password: testenv.Password})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Create(ctx, db, u.ID, u.Email, workspace.Fields{Name: ptr("Alerts")})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, db: db, user: u, ws: ws.ID,
		agents: agents.NewService(db, auth.NewPINs([]byte("0123456789abcdef0123456789abcdef")), agents.Config{}),
		probes: probes.NewService(db, 0),
		clock:  &clock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)},
		panel:  &panel{},
	}
	if cfg.Clock == nil {
		cfg.Clock = f.clock.Now
	}
	if cfg.Notifier == nil {
		cfg.Notifier = f.panel
	}
	f.svc = alerts.New(db, cfg, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	return f
}

// run starts the service's background work until the test ends.
func (f *fixture) run() {
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.svc.Run(ctx) }()
	f.t.Cleanup(func() {
		closeCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		if err := f.svc.Close(closeCtx); err != nil {
			f.t.Error(err)
		}
		cancel()
		<-done
	})
}

func (f *fixture) agent(name string) agents.Agent {
	f.t.Helper()
	a, _, err := f.agents.Create(f.ctx, f.ws, agents.Fields{Name: &name}, agents.PINOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) probe(agentID int64, spec probes.Spec) probes.Probe {
	f.t.Helper()
	p, _, err := f.probes.Create(f.ctx, f.ws, agentID, spec)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// rule creates a rule from a JSON body.
func (f *fixture) rule(body string) alerts.Rule {
	f.t.Helper()
	var in alerts.RuleInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		f.t.Fatal(err)
	}
	r, err := f.svc.CreateRule(f.ctx, f.ws, in)
	if err != nil {
		f.t.Fatalf("create rule %s: %v", body, err)
	}
	return r
}

// result is a committed row of probe p reported by agentID.
func (f *fixture) result(p probes.Probe, agentID int64, typ, target string, v metrics.Values) probedata.Row {
	return probedata.Row{WorkspaceID: f.ws, ProbeID: p.ID, ProbeAgentID: p.AgentID, AgentID: agentID, Type: typ,
		Target: target, CreatedAt: f.clock.Now(), ReceivedAt: f.clock.Now(), Metrics: v}
}

// feed evaluates rows one batch each, a minute apart.
func (f *fixture) feed(rows ...probedata.Row) {
	for _, r := range rows {
		f.svc.Evaluate(f.ctx, []probedata.Row{r})
		f.clock.Advance(time.Minute)
	}
}

func (f *fixture) list(status string) []alerts.Alert {
	f.t.Helper()
	list, err := f.svc.List(f.ctx, f.user.ID, status, store.Page{Limit: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *fixture) setStatus(id int64, status string) alerts.Alert {
	f.t.Helper()
	a, err := f.svc.SetStatus(f.ctx, f.user.ID, id, status)
	if err != nil {
		f.t.Fatalf("set alert %d %s: %v", id, status, err)
	}
	return a
}

func ptr[T any](v T) *T { return &v }

// loss is a PING result's values with the given packet loss.
func loss(pct float64) metrics.Values {
	return metrics.Values{PacketLoss: ptr(pct), Latency: ptr(20.0)}
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// panel records what the service publishes to panels.
type panel struct {
	mu  sync.Mutex
	got []alerts.Alert
}

func (p *panel) PublishAlert(workspaceID int64, a alerts.Alert) {
	p.mu.Lock()
	p.got = append(p.got, a)
	p.mu.Unlock()
}

func (p *panel) statuses() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, a := range p.got {
		out = append(out, a.Status)
	}
	return out
}

type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
