package geoip

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// BulkResult is one entry of LookupMany: the result or why that address
// failed, so one bad address does not sink the batch.
type BulkResult struct {
	Result Result
	Err    error
}

// LookupMany resolves ips on at most GOMAXPROCS goroutines, returning one
// BulkResult per input in input order. The goroutines end when the work does.
func (l *Locator) LookupMany(ips []string) []BulkResult {
	out := make([]BulkResult, len(ips))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(ips)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(ips); i = int(next.Add(1) - 1) {
				res, err := l.Lookup(ips[i])
				out[i] = BulkResult{Result: res, Err: err}
			}
		})
	}
	wg.Wait()
	return out
}
