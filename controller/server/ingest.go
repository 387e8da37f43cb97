package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/periodic"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/backends"
	"github.com/netwatcher/netwatcher/controller/store"
)

// ingest is the probe-data side of the controller: the store and the
// pipeline that feeds it.
type ingest struct {
	store    probedata.Store
	pipeline *probedata.Pipeline
}

func openIngest(ctx context.Context, cfg config.Config, db *store.DB, log *slog.Logger) (*ingest, error) {
	data, err := backends.Open(ctx, cfg.ProbeDataURL, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("open probe-data store: %w", err)
	}
	replica, err := db.RegisterReplica(ctx)
	if err != nil {
		data.Close()
		return nil, err
	}
	ids, err := probedata.NewIDGen(replica % (probedata.MaxNode + 1))
	if err != nil {
		data.Close()
		return nil, err
	}
	t := cfg.AgentTuning
	return &ingest{store: data, pipeline: probedata.NewPipeline(data, ids,
		probedata.PipelineConfig{QueueSize: t.QueueSize, BatchSize: t.BatchSize}, log)}, nil
}

// enforceRetention deletes expired probe data at start and hourly.
func (in *ingest) enforceRetention(ctx context.Context, retention time.Duration, log *slog.Logger) {
	purge := func() {
		n, err := in.store.DeleteBefore(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("probe-data retention", "err", err)
		case n > 0:
			log.Info("probe-data retention", "deleted", n)
		}
	}
	purge()
	periodic.Every(ctx, time.Hour, purge)
}
