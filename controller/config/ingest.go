package config

import "time"

// IngestTuning sizes the ingest pipeline. Production uses the defaults
// (zero values); tests shrink them to reach back-pressure quickly.
type IngestTuning struct {
	QueueSize int           // results waiting for the batch writer; default 20,000
	BatchSize int           // rows per insert; default 2,000
	Wait      time.Duration // longest an agent's result waits for room in the queue; default 30 s
}
