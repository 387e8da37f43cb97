package config

import "time"

// PanelTuning sets the panel socket's and network map's clocks and
// buffers. Production uses the defaults (zero values); tests shorten them.
type PanelTuning struct {
	Ping        time.Duration // server pings of panel sockets; default 30 s
	Recheck     time.Duration // re-check of each panel socket's session and memberships; default 1 min
	MapInterval time.Duration // least time between network_map_update of a workspace; default 5 s
	Backlog     int           // bytes of messages waiting for one slow panel client before it is dropped; default 4 MiB
}
