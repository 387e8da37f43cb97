// Package protocol holds what the controller and the agent must agree on: the
// events of the agent WebSocket (PROTOCOL.md §3), probe types, and the JSON of
// probes and probe results. Framing lives in protocol/neffos, metric math and
// payload extraction in protocol/metrics.
package protocol

// NamespaceAgent is the only neffos namespace agents join.
const NamespaceAgent = "agent"

// Events of the agent namespace, each agent request followed by the event the
// controller answers it with.
const (
	// EventProbeGet is both the agent's request and the controller's answer:
	// the probe list, which the controller also pushes when it changes.
	EventProbeGet = "probe_get"

	EventProbePost   = "probe_post"
	EventProbePostOK = "probe_post_ok"

	// EventVersion is also the answer, with the plain text VersionOK.
	EventVersion = "version"

	EventPing = "ping"
	EventPong = "pong"

	EventSpeedtestServers   = "speedtest_servers"
	EventSpeedtestServersOK = "speedtest_servers_ok"

	EventSpeedtestQueueGet = "speedtest_queue_get"
	EventSpeedtestQueue    = "speedtest_queue"

	EventSpeedtestResult   = "speedtest_result"
	EventSpeedtestResultOK = "speedtest_result_ok"

	// EventDeactivate goes from controller to agent only; the agent deletes
	// its credentials and uninstalls itself.
	EventDeactivate = "deactivate"
)

// Reply bodies fixed by deployed agents.
const (
	// ReplyOK is the body of probe_post_ok, pong, speedtest_servers_ok and speedtest_result_ok.
	ReplyOK = `{"ok":true}`
	// VersionOK is the plain-text body of the version reply.
	VersionOK = "ok"
)

// Reasons carried by a deactivate event as {"reason":"..."}.
const (
	DeactivateDeleted     = "deleted"
	DeactivateRegenerated = "regenerated"
)
