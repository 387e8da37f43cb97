package testenv

import (
	"net/netip"
	"time"

	"github.com/netwatcher/netwatcher/controller/config"
)

// WithWebhookDenyNone sets NETWATCHER_WEBHOOK_DENY=none, so alert webhooks
// may call receivers on loopback, where test servers listen.
func WithWebhookDenyNone() Option {
	return func(c *config.Config) { c.WebhookDeny = []netip.Prefix{} }
}

// WithFastAlerting shortens alerting's clocks: agent-offline checks every
// interval, webhook retries after 20 ms growing to 100 ms for 5 s at most.
func WithFastAlerting(interval time.Duration) Option {
	return func(c *config.Config) {
		c.AlertTimings = config.AlertTimings{OfflineInterval: interval,
			RetryFirst: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, RetryWindow: 5 * time.Second}
	}
}
