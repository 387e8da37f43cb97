package server

import (
	"context"
	"log/slog"
	"sync"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/agentsock"
	"github.com/netwatcher/netwatcher/controller/auth"
	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/networkmap"
	"github.com/netwatcher/netwatcher/controller/origin"
	"github.com/netwatcher/netwatcher/controller/panelsock"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/realtime"
	"github.com/netwatcher/netwatcher/controller/speedtest"
	"github.com/netwatcher/netwatcher/controller/store"
)

// panel is the live side of the web panel: the realtime broker, the
// /ws/panel endpoint and the network map with its update notifier.
type panel struct {
	broker   *realtime.Local
	socket   *panelsock.Handler
	maps     *networkmap.Builder
	notifier *networkmap.Notifier

	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newPanel(cfg config.Config, log *slog.Logger, db *store.DB, sessions *auth.Sessions, data probedata.Store) *panel {
	t := cfg.PanelTuning
	broker := realtime.NewLocal(0, log)
	maps := &networkmap.Builder{DB: db, Data: data}
	return &panel{
		broker: broker,
		socket: panelsock.New(panelsock.Config{Broker: broker, Sessions: sessions, DB: db, Log: log,
			Origins: origin.Policy(cfg.AllowedOrigins), PingInterval: t.Ping, RecheckInterval: t.Recheck, Backlog: t.Backlog}),
		maps:     maps,
		notifier: networkmap.NewNotifier(maps, broker, t.MapInterval, log),
	}
}

// attach feeds the panel from the ingest pipeline (register before it
// runs), the speed-test queue and the agents' hub.
func (p *panel) attach(pipeline *probedata.Pipeline, queue *speedtest.Queue, hub *agentsock.Hub) {
	pipeline.OnCommit(func(rows []probedata.Row) { p.broker.Publish(realtime.ProbeData(rows)...) })
	pipeline.OnCommit(p.notifier.OnCommit)
	queue.OnUpdate = func(u speedtest.Update) { p.broker.Publish(realtime.Speedtest(u)) }
	p.maps.Online = hub.Connected
}

// agentPresence is the agents' hub OnPresence hook.
func (p *panel) agentPresence(a agents.Agent, _ bool) { p.notifier.Changed(a.WorkspaceID) }

// Changed implements api.WorkspaceEvents: panel sockets re-check access,
// the map is redrawn.
func (p *panel) Changed(workspaceID int64) {
	p.broker.Publish(realtime.WorkspaceChanged(workspaceID))
	p.notifier.Changed(workspaceID)
}

// start runs the broker and the map notifier until close.
func (p *panel) start() {
	ctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	p.wg.Go(func() { p.broker.Run(ctx) })
	p.wg.Go(func() { p.notifier.Run(ctx) })
}

// close ends the panel sockets (clients are told the controller is going
// away; it waits for them up to ctx), then stops the broker and the
// notifier.
func (p *panel) close(ctx context.Context) {
	p.socket.Close(ctx)
	p.stop()
	p.wg.Wait()
}
