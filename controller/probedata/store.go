// Package probedata stores and queries probe results. Store is the one
// interface the ingest pipeline and the API use; backends (SQLite,
// PostgreSQL, ClickHouse) live in sibling packages and share one test suite.
package probedata

import (
	"context"
	"encoding/json"
	"time"

	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// Row is one stored probe result.
type Row struct {
	ID              int64 // controller-generated, time-ordered, unique across replicas
	WorkspaceID     int64
	ProbeID         int64 // 0 for virtual probes (NETINFO, SYSINFO, …)
	ProbeAgentID    int64 // the probe's owner (the reporter when ProbeID is 0)
	AgentID         int64 // the reporting agent (from the authenticated connection)
	Type            string
	Target          string
	TargetAgent     int64 // 0: none
	Triggered       bool
	TriggeredReason string
	CreatedAt       time.Time // the agent's timestamp of the result
	ReceivedAt      time.Time // when the controller accepted it
	UID             string    // agent-supplied dedupe key; "" when none
	Payload         json.RawMessage
	Metrics         metrics.Values // typed columns extracted at ingest (Path and CPU are not stored)
	Path            string         // MTR path signature (metrics.Signature.String()), "" otherwise
}

// Query selects rows of one workspace. Zero fields do not filter.
type Query struct {
	WorkspaceID  int64 // required
	Type         string
	ProbeID      *int64 // pointer: probe id 0 (virtual probes) is a valid filter
	AgentID      int64
	ProbeAgentID int64
	TargetAgent  int64
	Target       string // exact match
	TargetPrefix string
	Triggered    *bool
	From, To     time.Time // on CreatedAt, inclusive
	Limit        int       // > 0
	Asc          bool      // oldest first; default newest first
}

// MetricStats summarises one metric over a bucket.
type MetricStats struct {
	Avg float64 `json:"avg"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	P95 float64 `json:"p95"`
}

// Bucket is one aggregation bucket of one (reporting agent, type).
type Bucket struct {
	Start   time.Time              `json:"bucket_start"`
	Count   int                    `json:"count"`
	Type    string                 `json:"type"`
	AgentID int64                  `json:"agent_id"`
	Metrics map[string]MetricStats `json:"metrics"` // by metric name; metrics without values are absent
}

// Store is a probe-data backend.
type Store interface {
	// Insert stores rows in one batch and returns how many were new. A row
	// whose (AgentID, UID) is already stored (UID != "") is skipped, so a
	// result resent after a lost ack is stored once.
	Insert(ctx context.Context, rows []Row) (inserted int, err error)
	// Find returns rows matching q ordered by CreatedAt (then ID); a
	// query without a positive Limit is an error. Times come back at
	// millisecond precision, in UTC.
	Find(ctx context.Context, q Query) ([]Row, error)
	// LatestPerProbe returns the newest row of each probe matching q,
	// ordered by probe id (q.Limit bounds the number of probes, keeping
	// the lowest ids).
	LatestPerProbe(ctx context.Context, q Query) ([]Row, error)
	// Aggregate buckets rows matching q by bucket (aligned to the Unix
	// epoch), reporting agent and type, oldest first (then by agent and
	// type). It summarises the metrics the bucket's result type can carry
	// (METRICS.md).
	Aggregate(ctx context.Context, q Query, bucket time.Duration) ([]Bucket, error)
	// DeleteBefore removes rows received before cutoff, in the store's own
	// efficient way (partition drops or bounded deletes), and returns rows
	// (or an estimate, for partition drops) removed. Partitioned stores
	// drop whole days, so rows of the day straddling cutoff may stay until
	// the next run. Stores rely on ReceivedAt being TimeOfID(ID), as the
	// pipeline sets it.
	DeleteBefore(ctx context.Context, cutoff time.Time) (int64, error)
	// DeleteWorkspace removes every row of a workspace (background purge
	// after a workspace is deleted).
	DeleteWorkspace(ctx context.Context, workspaceID int64) error
	Close() error
}
