package config

import "time"

// AgentTuning sizes the agent socket and the ingest pipeline behind it.
// Production uses the defaults (zero values); tests shrink them to reach
// back-pressure and dead-peer detection quickly.
type AgentTuning struct {
	QueueSize int           // results waiting for the batch writer; default 20,000
	BatchSize int           // rows per insert at most; default 5,000
	Wait      time.Duration // longest an agent's result waits for room in the queue; default 30 s
	Ping      time.Duration // server pings of agent sockets; default 30 s
}
