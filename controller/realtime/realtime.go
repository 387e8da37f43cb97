// Package realtime is publish/subscribe for the panel sockets: producers
// (the ingest pipeline, the speed-test queue, alerting, the network map)
// publish events of a workspace, and each panel connection subscribes to
// the workspaces (and probes) it shows.
//
// Broker is the seam for running several controllers: Local fans out
// within one process; a multi-replica broker (PostgreSQL LISTEN/NOTIFY)
// keeps a Local for its own subscribers and only changes how Publish
// reaches every replica, which is why an Event is plain data.
package realtime

import "context"

// Kind is the type of an event; for the kinds panel clients see it is also
// the "type" of the message they receive.
type Kind string

const (
	KindProbeData  Kind = "probe_data"
	KindSpeedtest  Kind = "speedtest_update"
	KindNetworkMap Kind = "network_map_update"
	KindAlert      Kind = "alert"
	// KindChanged says the workspace was written to (members, agents,
	// probes, the workspace itself): subscribers re-check their access.
	// It is never sent to clients.
	KindChanged Kind = "workspace_changed"
	// KindDirect marks a message for one subscriber (Subscriber.Send).
	KindDirect Kind = "direct"
)

// Event is something that happened in a workspace.
type Event struct {
	WorkspaceID int64
	Kind        Kind
	// ProbeID is the probe of a probe_data event; subscriptions to one
	// probe receive only its probe_data. Other kinds go to every
	// subscriber of the workspace.
	ProbeID int64
	// Body is marshalled, once and only if someone wants the event, into
	// the message clients receive: {"type":Kind, …Body's fields}. It must
	// marshal to a JSON object and must not change after Publish.
	Body any
}

// Publisher accepts events.
type Publisher interface {
	// Publish hands events to the subscribers of their workspaces, in
	// order. It never blocks and never waits for a subscriber: events that
	// cannot be taken are dropped, so a publisher is never slowed. It may
	// keep the events (and the slice) until they are dispatched.
	Publish(events ...Event)
}

// Broker is a Publisher that subscribers attach to.
type Broker interface {
	Publisher
	// Subscribe returns a subscriber whose waiting messages may hold up to
	// limit bytes. It ends when ctx ends, when it is closed, or when its
	// backlog would exceed the limit.
	Subscribe(ctx context.Context, limit int) *Subscriber
}
