package probedata

import (
	"container/list"
	"context"
	"strconv"

	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// seriesState remembers, per series, what the next result is compared
// with: the last MTR path of an (agent, probe, target) for route_change and
// the last SYSINFO counters of an agent for cpu_usage. A series not yet in
// memory (e.g. after a restart) is read back from the store once.
type seriesState struct {
	store Store
	last  map[seriesKey]previous
}

type seriesKey struct {
	agentID, probeID int64
	typ, target      string
}

type previous struct {
	path metrics.Signature
	cpu  *metrics.CPUTimes
}

func newSeriesState(store Store) *seriesState {
	return &seriesState{store: store, last: map[seriesKey]previous{}}
}

func keyOf(r Row) seriesKey {
	return seriesKey{agentID: r.AgentID, probeID: r.ProbeID, typ: r.Type, target: r.Target}
}

// compare sets route_change and cpu_usage on rows in order, each against
// the previous result of its series (possibly earlier in the same batch).
func (s *seriesState) compare(ctx context.Context, rows []Row) error {
	var firstErr error
	pending := map[seriesKey]previous{}
	for i := range rows {
		r := &rows[i]
		if len(r.Metrics.Path) == 0 && r.Metrics.CPU == nil {
			continue
		}
		k := keyOf(*r)
		prev, ok := pending[k]
		if !ok {
			var err error
			if prev, ok, err = s.lookup(ctx, *r); err != nil && firstErr == nil {
				firstErr = err
			}
		}
		var prevValues *metrics.Values
		if ok {
			prevValues = &metrics.Values{Path: prev.path, CPU: prev.cpu}
		}
		r.Metrics.CompareWithPrevious(prevValues)
		pending[k] = previous{path: r.Metrics.Path, cpu: r.Metrics.CPU}
	}
	return firstErr
}

// remember records committed rows as the newest of their series.
func (s *seriesState) remember(rows []Row) {
	for _, r := range rows {
		if len(r.Metrics.Path) > 0 || r.Metrics.CPU != nil {
			s.last[keyOf(r)] = previous{path: r.Metrics.Path, cpu: r.Metrics.CPU}
		}
	}
}

func (s *seriesState) lookup(ctx context.Context, r Row) (previous, bool, error) {
	if prev, ok := s.last[keyOf(r)]; ok {
		return prev, true, nil
	}
	probeID := r.ProbeID
	found, err := s.store.Find(ctx, Query{WorkspaceID: r.WorkspaceID, AgentID: r.AgentID, ProbeID: &probeID,
		Type: r.Type, Target: r.Target, Limit: 1})
	if err != nil || len(found) == 0 {
		return previous{}, false, err
	}
	v, err := metrics.Extract(found[0].Type, found[0].Payload)
	if err != nil {
		return previous{}, false, nil // an unreadable old row compares like a first result
	}
	prev := previous{path: v.Path, cpu: v.CPU}
	s.last[keyOf(r)] = prev
	return prev, true, nil
}

// recentUIDs remembers the last n (agent, uid) pairs committed, so a result
// resent after a lost acknowledgement is answered without a second row.
// The stores dedupe too; this keeps duplicates out of alerts and panels.
type recentUIDs struct {
	n     int
	order *list.List
	index map[string]*list.Element
}

func newRecentUIDs(n int) *recentUIDs {
	return &recentUIDs{n: n, order: list.New(), index: map[string]*list.Element{}}
}

func uidKey(agentID int64, uid string) string { return strconv.FormatInt(agentID, 10) + "/" + uid }

func (r *recentUIDs) seen(agentID int64, uid string) bool {
	_, ok := r.index[uidKey(agentID, uid)]
	return ok
}

func (r *recentUIDs) add(agentID int64, uid string) {
	k := uidKey(agentID, uid)
	if _, ok := r.index[k]; ok {
		return
	}
	r.index[k] = r.order.PushBack(k)
	if r.order.Len() > r.n {
		oldest := r.order.Front()
		r.order.Remove(oldest)
		delete(r.index, oldest.Value.(string))
	}
}
