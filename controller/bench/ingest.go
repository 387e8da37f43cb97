package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/sync/errgroup"

	"github.com/netwatcher/netwatcher/protocol"
)

// IngestOptions describe a `bench ingest` scenario.
type IngestOptions struct {
	URL       string        // controller base URL, http://host:port
	Agents    int           // simulated agents
	Rate      float64       // results per second across all agents; 0: connect and stay idle
	Duration  time.Duration // how long to post (or stay connected)
	PID       int           // controller process, for RSS and CPU; 0: not measured
	StateFile string        // fleet credentials cache; "" to always create a fleet
	Payload   string        // ping, mtr or mixed
	InFlight  int           // unacknowledged posts allowed per agent
	Panels    int           // panel sockets watching every probe of the fleet's workspace
	Out       io.Writer
}

// Ingest connects simulated agents over real WebSockets, posts results at
// the requested rate with acknowledgement (neffos Ask), and reports the
// sustained rate, post→ack latency and the controller's memory.
func Ingest(ctx context.Context, o IngestOptions) error {
	if o.Agents < 1 || o.Duration <= 0 || o.Rate < 0 {
		return fmt.Errorf("need --agents ≥ 1, --duration > 0 and --rate ≥ 0")
	}
	if o.InFlight <= 0 {
		o.InFlight = 32
	}
	fmt.Fprintf(o.Out, "scenario: %d agents, %s payloads, %.0f results/s for %s against %s\n",
		o.Agents, o.Payload, o.Rate, o.Duration, o.URL)

	bar := progressbar.NewOptions(o.Agents, progressbar.OptionSetWriter(o.Out), progressbar.OptionSetDescription("setting up agents"))
	fleet, err := loadOrCreateFleet(ctx, o.URL, o.StateFile, o.Agents, func(n int) { _ = bar.Set(n) })
	if err != nil {
		return err
	}
	_ = bar.Finish()
	fmt.Fprintln(o.Out)

	conns, err := connectFleet(ctx, fleet, o.Out)
	defer func() {
		for _, c := range conns {
			c.conn.Close()
		}
	}()
	if err != nil {
		return err
	}
	panels, err := watchPanels(ctx, fleet, o.Panels)
	if err != nil {
		return err
	}
	defer panels.close()
	cpuBefore, _ := cpuSeconds(o.PID)
	selfBefore, _ := cpuSeconds(os.Getpid())
	stats := run(ctx, conns, o)
	cpuAfter, _ := cpuSeconds(o.PID)
	selfAfter, _ := cpuSeconds(os.Getpid())

	elapsed := o.Duration.Seconds()
	fmt.Fprintf(o.Out, "\nconnected agents:     %d\n", len(conns))
	if o.Rate > 0 {
		sortDurations(stats.latencies)
		fmt.Fprintf(o.Out, "acknowledged results: %d (%.0f results/s sustained)\n", stats.acked, float64(stats.acked)/elapsed)
		fmt.Fprintf(o.Out, "errors: %d   not sent (agent backlog full): %d\n", stats.errors, stats.skipped)
		fmt.Fprintf(o.Out, "post→ack latency:     p50 %s   p99 %s   max %s\n",
			percentile(stats.latencies, 50).Round(time.Microsecond), percentile(stats.latencies, 99).Round(time.Microsecond),
			percentile(stats.latencies, 100).Round(time.Microsecond))
	}
	if o.Panels > 0 {
		fmt.Fprintf(o.Out, "panel sockets:        %d, %d probe_data received (%.0f/s each), %d dropped by the controller\n",
			o.Panels, panels.received.Load(), float64(panels.received.Load())/elapsed/float64(o.Panels), panels.dropped.Load())
	}
	if o.PID > 0 {
		rss, peak, err := processMemory(o.PID)
		if err != nil {
			return fmt.Errorf("read controller memory: %w", err)
		}
		fmt.Fprintf(o.Out, "controller RSS:       %s (peak %s, %.1f KiB per agent)\n", mib(rss), mib(peak), float64(rss)/1024/float64(len(conns)))
		fmt.Fprintf(o.Out, "controller CPU:       %.0f%% of one core\n", 100*(cpuAfter-cpuBefore)/elapsed)
	}
	fmt.Fprintf(o.Out, "load generator CPU:   %.0f%% of one core\n", 100*(selfAfter-selfBefore)/elapsed)
	return nil
}

func connectFleet(ctx context.Context, f Fleet, out io.Writer) ([]*simAgent, error) {
	bar := progressbar.NewOptions(len(f.Agents), progressbar.OptionSetWriter(out), progressbar.OptionSetDescription("connecting"))
	conns := make([]*simAgent, len(f.Agents))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(64)
	var mu sync.Mutex
	for i, a := range f.Agents {
		g.Go(func() error {
			dctx, cancel := context.WithTimeout(gctx, 30*time.Second)
			defer cancel()
			c, err := dialAgent(dctx, f.URL, f.WorkspaceID, a)
			if err != nil {
				return fmt.Errorf("agent %d: %w", a.ID, err)
			}
			mu.Lock()
			conns[i] = c
			_ = bar.Add(1)
			mu.Unlock()
			return nil
		})
	}
	err := g.Wait()
	_ = bar.Finish()
	live := conns[:0]
	for _, c := range conns {
		if c != nil {
			live = append(live, c)
		}
	}
	return live, err
}

type runStats struct {
	mu                     sync.Mutex
	latencies              []time.Duration
	acked, errors, skipped int64
}

// run posts from every agent at its share of the rate until Duration ends.
func run(ctx context.Context, conns []*simAgent, o IngestOptions) *runStats {
	stats := &runStats{}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	bar := progressbar.NewOptions64(int64(o.Duration.Seconds()), progressbar.OptionSetWriter(o.Out),
		progressbar.OptionSetDescription("running"), progressbar.OptionShowCount())
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for s := 1; ; s++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = bar.Set(s)
				stats.mu.Lock()
				acked := stats.acked
				stats.mu.Unlock()
				bar.Describe(fmt.Sprintf("running: %d acked", acked))
			}
		}
	}()
	var wg sync.WaitGroup
	if o.Rate > 0 {
		interval := time.Duration(float64(time.Second) * float64(len(conns)) / o.Rate)
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				postLoop(ctx, c, i, interval, o, stats)
			}()
		}
	}
	<-ctx.Done()
	wg.Wait()
	_ = bar.Finish()
	return stats
}

func postLoop(ctx context.Context, a *simAgent, seed int, interval time.Duration, o IngestOptions, stats *runStats) {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(time.Now().UnixNano())))
	// A random phase spreads the agents over the interval.
	select {
	case <-time.After(time.Duration(rng.Int64N(int64(interval) + 1))):
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	slots := make(chan struct{}, o.InFlight)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for n := 0; ; n++ {
		select {
		case slots <- struct{}{}:
		default:
			stats.mu.Lock()
			stats.skipped++
			stats.mu.Unlock()
			select {
			case <-tick.C:
				continue
			case <-ctx.Done():
				return
			}
		}
		body := a.body(rng, o.Payload, n)
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			defer func() { <-slots }()
			actx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			start := time.Now()
			err := a.post(actx, body)
			took := time.Since(start)
			stats.mu.Lock()
			defer stats.mu.Unlock()
			if err != nil {
				stats.errors++
				return
			}
			if ctx.Err() == nil {
				stats.acked++
				stats.latencies = append(stats.latencies, took)
			}
		}()
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// body is the agent's next result.
func (a *simAgent) body(rng *rand.Rand, kind string, n int) []byte {
	now := time.Now().UTC()
	uid := strconv.FormatInt(a.ID, 10) + "-" + strconv.FormatInt(now.UnixNano(), 36) + "-" + strconv.Itoa(n)
	if kind == "mtr" || (kind == "mixed" && n%10 == 0) {
		return result(a.MTRProbeID, protocol.TypeMTR, a.Target, mtrPayload(rng, a.Target, now), now, uid)
	}
	return result(a.ProbeID, protocol.TypePing, a.Target, pingPayload(rng, a.Target, now), now, uid)
}
