// Package periodic runs background work on a fixed interval until its
// context ends: the one ticker loop the controller's housekeeping shares.
package periodic

import (
	"context"
	"time"
)

// Every calls fn every interval until ctx ends; the first call is one
// interval after the start.
func Every(ctx context.Context, interval time.Duration, fn func()) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}
