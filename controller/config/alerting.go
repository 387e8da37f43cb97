package config

import (
	"net/netip"
	"strings"
	"time"
)

// AlertTimings are alerting's intervals. Production uses the defaults (zero
// values); tests shorten them so that an hour of webhook retries or a
// minute between offline checks takes milliseconds.
type AlertTimings struct {
	OfflineInterval time.Duration // agent-offline check and alert-state resync; default 1 min
	RetryFirst      time.Duration // delay before the first webhook retry; default 10 s
	RetryMax        time.Duration // longest delay between webhook retries; default 15 min
	RetryWindow     time.Duration // no webhook retry starts later than this after the event; default 1 h
}

// parseDenyList reads NETWATCHER_WEBHOOK_DENY: empty keeps the built-in
// list (nil), "none" denies nothing (an empty, non-nil list).
func parseDenyList(v string) ([]netip.Prefix, error) {
	if strings.EqualFold(v, "none") {
		return []netip.Prefix{}, nil
	}
	return parsePrefixes(v)
}
