package neffos

// Event names neffos reserves for its own protocol. The peer's library answers
// or fires them itself, so application events must not reuse them.
const (
	// OnNamespaceConnect asks to join a namespace; the answer is an EmptyReply
	// or an error echo (see BadNamespace).
	OnNamespaceConnect = "_OnNamespaceConnect"
	// OnNamespaceConnected fires locally after a successful connect; it never
	// crosses the wire.
	OnNamespaceConnected = "_OnNamespaceConnected"
	// OnNamespaceDisconnect leaves a namespace; a server sends it to make the
	// agent drop the namespace (deployed agents then reconnect after ~1 s).
	OnNamespaceDisconnect = "_OnNamespaceDisconnect"
	// Room events; NetWatcher uses no rooms.
	OnRoomJoin   = "_OnRoomJoin"
	OnRoomJoined = "_OnRoomJoined"
	OnRoomLeave  = "_OnRoomLeave"
	OnRoomLeft   = "_OnRoomLeft"
	// OnAnyEvent is a local catch-all for events without a handler.
	OnAnyEvent = "_OnAnyEvent"
	// OnNativeMessage is a local event for frames that are not neffos frames.
	OnNativeMessage = "_OnNativeMessage"
)

// BadNamespace is the error body neffos answers to a connect request for a
// namespace the server does not serve; the neffos client maps this exact text
// to its ErrBadNamespace.
const BadNamespace = "bad namespace"
