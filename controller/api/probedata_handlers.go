package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/protocol"
)

// Probe-data query limits (CONTRACT §6).
const (
	defaultDataLimit = 100
	maxDataLimit     = 10000
	// maxBuckets bounds an aggregate answer; a wider range needs a larger bucket.
	maxBuckets = 20000
)

// parseTime reads an RFC 3339 time or Unix seconds.
func parseTime(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC(), nil
	}
	return time.Time{}, apperr.Invalidf("query parameter %s=%q must be RFC 3339 or Unix seconds", name, v)
}

// dataQuery reads the filters shared by the probe-data endpoints, scoped
// to the path's workspace.
func dataQuery(r *http.Request) (probedata.Query, error) {
	q := probedata.Query{WorkspaceID: currentWorkspace(r).ID}
	v := r.URL.Query()
	if t := v.Get("type"); t != "" {
		t = strings.ToUpper(t)
		if !protocol.IsProbeType(t) {
			return q, apperr.Invalidf("type %q is not a probe type", v.Get("type"))
		}
		q.Type = t
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"agentId", &q.AgentID}, {"probeAgentId", &q.ProbeAgentID}, {"targetAgent", &q.TargetAgent}} {
		n, err := queryID(r, f.name)
		if err != nil {
			return q, err
		}
		*f.dst = n
	}
	if v.Has("probeId") {
		id, err := queryID(r, "probeId")
		if err != nil {
			return q, err
		}
		q.ProbeID = &id
	}
	q.TargetPrefix = v.Get("targetPrefix")
	if v.Has("triggered") {
		b, err := queryBool(r, "triggered", false)
		if err != nil {
			return q, err
		}
		q.Triggered = &b
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(f.name); s != "" {
			t, err := parseTime(f.name, s)
			if err != nil {
				return q, err
			}
			*f.dst = t
		}
	}
	limit, err := queryInt(r, "limit", defaultDataLimit)
	if err != nil {
		return q, err
	}
	if limit < 1 {
		return q, apperr.Invalidf("limit must be at least 1")
	}
	q.Limit = min(limit, maxDataLimit)
	if q.Asc, err = queryBool(r, "asc", false); err != nil {
		return q, err
	}
	return q, nil
}

// queryID parses an optional non-negative id query parameter (0 if absent).
func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Invalidf("query parameter %s=%q must be a non-negative integer", name, s)
	}
	return n, nil
}

func (a *API) findProbeData(w http.ResponseWriter, r *http.Request) error {
	q, err := dataQuery(r)
	if err != nil {
		return err
	}
	rows, err := a.data.Find(r.Context(), q)
	if err != nil {
		return storeUnavailable(err)
	}
	return writeJSON(w, http.StatusOK, list[probedata.Row]{Data: rows})
}

// storeUnavailable reports a probe-data store failure as 503.
func storeUnavailable(err error) error {
	if _, ok := apperr.As(err); ok {
		return err
	}
	return apperr.Unavailablef(err, "probe data store unavailable")
}

// probeData serves …/probe-data/probes/{probeID}/data, as rows or, with
// aggregate=<seconds>, as buckets.
func (a *API) probeData(w http.ResponseWriter, r *http.Request) error {
	id, err := pathProbeID(r)
	if err != nil {
		return err
	}
	if _, err := probes.GetInWorkspace(r.Context(), a.db, currentWorkspace(r).ID, id); err != nil {
		return err
	}
	q, err := dataQuery(r)
	if err != nil {
		return err
	}
	q.ProbeID = &id
	if !r.URL.Query().Has("aggregate") {
		rows, err := a.data.Find(r.Context(), q)
		if err != nil {
			return storeUnavailable(err)
		}
		return writeJSON(w, http.StatusOK, list[probedata.Row]{Data: rows})
	}
	secs, err := queryInt(r, "aggregate", 0)
	if err != nil {
		return err
	}
	if secs < 1 {
		return apperr.Invalidf("aggregate must be a bucket size of at least 1 second")
	}
	bucket := time.Duration(secs) * time.Second
	if q.From.IsZero() {
		q.From = time.Now().Add(-24 * time.Hour)
	}
	to := q.To
	if to.IsZero() {
		to = time.Now()
	}
	if to.Sub(q.From)/bucket > maxBuckets {
		return apperr.Invalidf("from/to span more than %d buckets of %ds; use a larger aggregate", maxBuckets, secs)
	}
	buckets, err := a.data.Aggregate(r.Context(), q, bucket)
	if err != nil {
		return storeUnavailable(err)
	}
	body := append(make([]byte, 0, 64+len(buckets)*220), `{"data":[`...)
	for i, b := range buckets {
		if i > 0 {
			body = append(body, ',')
		}
		if body, err = b.AppendJSON(body); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(append(body, "]}\n"...))
	return err
}

// latestProbeData returns the newest row of a type from an agent.
func (a *API) latestProbeData(w http.ResponseWriter, r *http.Request) error {
	q, err := dataQuery(r)
	if err != nil {
		return err
	}
	if q.Type == "" || q.AgentID == 0 {
		return apperr.Invalidf("type and agentId are required")
	}
	return a.writeLatest(w, r, q)
}

func (a *API) writeLatest(w http.ResponseWriter, r *http.Request, q probedata.Query) error {
	q.Limit, q.Asc, q.From, q.To = 1, false, time.Time{}, time.Time{}
	rows, err := a.data.Find(r.Context(), q)
	if err != nil {
		return storeUnavailable(err)
	}
	if len(rows) == 0 {
		return apperr.NotFoundf("no %s data for agent %d", q.Type, q.AgentID)
	}
	return writeJSON(w, http.StatusOK, rows[0])
}

// byTargetData returns rows of one target, or with latestOnly the newest
// row of each probe that measures it.
func (a *API) byTargetData(w http.ResponseWriter, r *http.Request) error {
	q, err := dataQuery(r)
	if err != nil {
		return err
	}
	q.Target = r.URL.Query().Get("target")
	if q.Target == "" {
		return apperr.Invalidf("target is required")
	}
	latestOnly, err := queryBool(r, "latestOnly", false)
	if err != nil {
		return err
	}
	var rows []probedata.Row
	if latestOnly {
		rows, err = a.data.LatestPerProbe(r.Context(), q)
	} else {
		rows, err = a.data.Find(r.Context(), q)
	}
	if err != nil {
		return storeUnavailable(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"target": q.Target, "data": rows})
}

// agentLatest serves …/agents/{agentID}/netinfo and /sysinfo.
func (a *API) agentLatest(typ string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		zero := int64(0)
		return a.writeLatest(w, r, probedata.Query{WorkspaceID: currentWorkspace(r).ID, AgentID: currentAgent(r).ID,
			ProbeID: &zero, Type: typ})
	}
}
