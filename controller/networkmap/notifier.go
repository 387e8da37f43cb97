package networkmap

import (
	"context"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/realtime"
	"github.com/netwatcher/netwatcher/protocol"
)

// DefaultInterval is the least time between two updates of one workspace.
const DefaultInterval = 5 * time.Second

// maxPaths bounds the remembered MTR paths; past it they are forgotten,
// which costs at most one extra rebuild per workspace.
const maxPaths = 100_000

// buildTimeout bounds one map build.
const buildTimeout = 30 * time.Second

// Notifier publishes network_map_update when a workspace's map changes
// shape: nodes added or removed, an agent going online or offline, edges
// added or removed (new probes, a new MTR path). Changes arrive as hints
// (Changed, OnCommit); hints within Interval of the last build of a
// workspace are coalesced into one build at the end of the interval, and
// a build whose shape equals the last published one is not sent. Latency
// and loss alone are not a change: they travel as probe_data.
type Notifier struct {
	build    func(context.Context, int64) (Map, error)
	pub      realtime.Publisher
	interval time.Duration
	log      *slog.Logger
	wake     chan struct{}

	mu    sync.Mutex
	dirty map[int64]bool
	paths map[pathKey]string // newest MTR path of each series
}

type pathKey struct {
	probeID, agentID int64
	target           string
}

// NewNotifier returns a notifier publishing b's maps to pub, at most once
// per interval (DefaultInterval when ≤ 0) per workspace. Call Run.
func NewNotifier(b *Builder, pub realtime.Publisher, interval time.Duration, log *slog.Logger) *Notifier {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Notifier{build: b.Build, pub: pub, interval: interval, log: log, wake: make(chan struct{}, 1),
		dirty: map[int64]bool{}, paths: map[pathKey]string{}}
}

// Changed hints that a workspace's map may have changed. It never blocks.
func (n *Notifier) Changed(workspaceID int64) {
	n.mu.Lock()
	n.dirty[workspaceID] = true
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// OnCommit watches committed MTR results for paths that differ from the
// previous one of their series (pipeline hook: cheap, never blocks).
func (n *Notifier) OnCommit(rows []probedata.Row) {
	var changed []int64
	n.mu.Lock()
	for _, r := range rows {
		if r.Type != protocol.TypeMTR || r.Path == "" {
			continue
		}
		k := pathKey{r.ProbeID, r.AgentID, r.Target}
		if n.paths[k] == r.Path {
			continue
		}
		if len(n.paths) >= maxPaths {
			clear(n.paths)
		}
		n.paths[k] = r.Path
		changed = append(changed, r.WorkspaceID)
	}
	n.mu.Unlock()
	for _, ws := range changed {
		n.Changed(ws)
	}
}

// Run builds and publishes changed maps until ctx ends.
func (n *Notifier) Run(ctx context.Context) {
	built := map[int64]time.Time{} // last build of each workspace within the interval
	shapes := map[int64]uint64{}   // last published shape of each workspace
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var due <-chan time.Time
		if wait := n.flush(ctx, built, shapes); wait > 0 {
			timer.Reset(wait)
			due = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		case <-due:
		}
	}
}

// flush builds every changed workspace whose interval has passed and
// returns how long until the next one is due (0: none waiting).
func (n *Notifier) flush(ctx context.Context, built map[int64]time.Time, shapes map[int64]uint64) time.Duration {
	now := time.Now()
	var ready []int64
	var wait time.Duration
	n.mu.Lock()
	for ws := range n.dirty {
		if left := built[ws].Add(n.interval).Sub(now); left > 0 {
			if wait == 0 || left < wait {
				wait = left
			}
			continue
		}
		ready = append(ready, ws)
		delete(n.dirty, ws)
	}
	n.mu.Unlock()
	for ws, at := range built {
		if now.Sub(at) >= n.interval {
			delete(built, ws) // past its interval: the next change may build at once
		}
	}
	for _, ws := range ready {
		n.publish(ctx, ws, shapes)
		built[ws] = time.Now() // the next build starts an interval after this one was sent
	}
	return wait
}

func (n *Notifier) publish(ctx context.Context, workspaceID int64, shapes map[int64]uint64) {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	m, err := n.build(ctx, workspaceID)
	if err != nil {
		if ctx.Err() == nil {
			n.log.Warn("network map update not built; retrying after the interval", "workspace_id", workspaceID, "err", err)
			n.Changed(workspaceID)
		}
		return
	}
	s := shape(m)
	if last, ok := shapes[workspaceID]; ok && last == s {
		return
	}
	shapes[workspaceID] = s
	n.pub.Publish(realtime.NetworkMap(workspaceID, m))
}

// shape hashes what a change means for a map: its nodes with their online
// state, and its edges without their measurements.
func shape(m Map) uint64 {
	h := fnv.New64a()
	for _, nd := range m.Nodes {
		online := "-"
		if nd.Online != nil {
			online = strconv.FormatBool(*nd.Online)
		}
		h.Write([]byte(nd.ID + "\x00" + nd.Label + "\x00" + online + "\x01"))
	}
	for _, e := range m.Edges {
		h.Write([]byte(e.From + "\x00" + e.To + "\x00" + strconv.FormatInt(e.ProbeID, 10) + "\x00" + e.ProbeType + "\x01"))
	}
	return h.Sum64()
}
