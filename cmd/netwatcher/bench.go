package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"time"

	"github.com/netwatcher/netwatcher/controller/bench"
	"github.com/netwatcher/netwatcher/controller/probedata/backends"
)

const benchUsage = `usage:
  netwatcher bench ingest --url URL --agents N --rate R --duration D [--pid P] [--payload ping|mtr|mixed] [--state FILE] [--panels N]
  netwatcher bench store [--backend URL | --data-dir DIR] --rows N [--batch B] [--probes P] [--span D]`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(benchUsage)
	}
	switch args[0] {
	case "ingest":
		return benchIngest(ctx, args[1:], stdout, stderr)
	case "store":
		return benchStore(ctx, args[1:], stdout, stderr)
	default:
		return errors.New(benchUsage)
	}
}

func benchIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netwatcher bench ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := bench.IngestOptions{Out: stdout}
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "controller base URL (run it with NETWATCHER_AUTH_RATE_LIMIT=0)")
	fs.IntVar(&o.Agents, "agents", 100, "simulated agents, each a real WebSocket")
	fs.Float64Var(&o.Rate, "rate", 1000, "results per second across all agents (0: connect and stay idle)")
	fs.DurationVar(&o.Duration, "duration", time.Minute, "how long to post (or stay connected)")
	fs.IntVar(&o.PID, "pid", 0, "controller process id, to report its memory and CPU")
	fs.StringVar(&o.Payload, "payload", "ping", "result payloads: ping, mtr or mixed (1 MTR in 10)")
	fs.StringVar(&o.StateFile, "state", "bench-fleet.json", "file caching the simulated agents' credentials (\"\" to create new ones)")
	fs.IntVar(&o.InFlight, "inflight", 32, "unacknowledged results allowed per agent")
	fs.IntVar(&o.Panels, "panels", 0, "panel sockets subscribed to all of the fleet's probe data during the run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch o.Payload {
	case "ping", "mtr", "mixed":
	default:
		return errors.New("--payload must be ping, mtr or mixed")
	}
	return bench.Ingest(ctx, o)
}

func benchStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netwatcher bench store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	backend := fs.String("backend", "", "probe-data store URL as NETWATCHER_PROBEDATA_URL (empty: SQLite in --data-dir)")
	dataDir := fs.String("data-dir", "./bench-data", "data directory for the SQLite store")
	o := bench.StoreOptions{Out: stdout}
	fs.IntVar(&o.Rows, "rows", 100000, "rows to insert")
	fs.IntVar(&o.Batch, "batch", 5000, "rows per insert (the ingest pipeline's largest batch)")
	fs.IntVar(&o.Probes, "probes", 1000, "interleaved probes the rows belong to (ids 1…N of workspace 1)")
	fs.DurationVar(&o.Span, "span", 0, "spread the rows' created_at over this span before now (e.g. 720h)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := backends.Open(ctx, *backend, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	return bench.Store(ctx, store, o)
}
