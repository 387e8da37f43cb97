// Package probesql is the probe_data table as the SQL backends (SQLite,
// PostgreSQL, ClickHouse) share it: one column list, one way to turn a Row
// into column values and back, and the query text that the dialects agree
// on. What differs (placeholders, column types, bucket and percentile
// expressions) is isolated in a Dialect, so each backend adds only what its
// engine does differently.
package probesql

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// Kind is the storage class of a column; each dialect names its own type.
type Kind int

const (
	Int    Kind = iota // 64-bit integer, never NULL
	Text               // string, never NULL
	Bool               // flag, never NULL
	Metric             // float64 or NULL ("no value")
)

// Column is one column of probe_data.
type Column struct {
	Name string
	Kind Kind
}

// metric binds a metric column to its field of metrics.Values.
type metric struct {
	name  string
	field func(*metrics.Values) **float64
}

// metricColumns are the typed metric columns, named like the metrics
// (METRICS.md), so rules and charts never parse payloads.
var metricColumns = []metric{
	{metrics.PacketLoss, func(v *metrics.Values) **float64 { return &v.PacketLoss }},
	{metrics.Latency, func(v *metrics.Values) **float64 { return &v.Latency }},
	{metrics.Jitter, func(v *metrics.Values) **float64 { return &v.Jitter }},
	{metrics.MOS, func(v *metrics.Values) **float64 { return &v.MOS }},
	{metrics.EndHopLoss, func(v *metrics.Values) **float64 { return &v.EndHopLoss }},
	{metrics.EndHopLatency, func(v *metrics.Values) **float64 { return &v.EndHopLatency }},
	{metrics.HopCount, func(v *metrics.Values) **float64 { return &v.HopCount }},
	{metrics.RouteChange, func(v *metrics.Values) **float64 { return &v.RouteChange }},
	{metrics.DNSQueryTime, func(v *metrics.Values) **float64 { return &v.DNSQueryTime }},
	{metrics.DNSFailure, func(v *metrics.Values) **float64 { return &v.DNSFailure }},
	{metrics.HTTPStatus, func(v *metrics.Values) **float64 { return &v.HTTPStatus }},
	{metrics.HTTPTotalMs, func(v *metrics.Values) **float64 { return &v.HTTPTotalMs }},
	{metrics.HTTPTTFB, func(v *metrics.Values) **float64 { return &v.HTTPTTFB }},
	{metrics.HTTPFailure, func(v *metrics.Values) **float64 { return &v.HTTPFailure }},
	{metrics.TLSExpiryDays, func(v *metrics.Values) **float64 { return &v.TLSExpiryDays }},
	{metrics.CPUUsage, func(v *metrics.Values) **float64 { return &v.CPUUsage }},
	{metrics.MemoryUsage, func(v *metrics.Values) **float64 { return &v.MemoryUsage }},
}

// MetricNames lists the metric columns in table order.
func MetricNames() []string {
	names := make([]string, len(metricColumns))
	for i, m := range metricColumns {
		names[i] = m.name
	}
	return names
}

// typeMetrics maps a result type to the metric columns it can carry.
var typeMetrics = func() map[string][]int {
	out := map[string][]int{}
	for _, d := range metrics.Definitions() {
		for i, m := range metricColumns {
			if m.name != d.Name {
				continue
			}
			for _, typ := range d.ResultTypes {
				out[typ] = append(out[typ], i)
			}
		}
	}
	return out
}()

// MetricsOf lists, in column order, the metric columns that results of
// types can carry (METRICS.md). Aggregates read only these: a bucket's cost
// grows with the columns it summarises, and the others are NULL anyway.
func MetricsOf(types []string) []int {
	var cols []int
	for _, typ := range types {
		for _, i := range typeMetrics[typ] {
			if !slices.Contains(cols, i) {
				cols = append(cols, i)
			}
		}
	}
	slices.Sort(cols)
	return cols
}

// MetricField is the field of v that metric column i holds.
func MetricField(v *metrics.Values, i int) **float64 { return metricColumns[i].field(v) }

// Columns lists probe_data's columns in table order. Times are Unix
// milliseconds in integers on every backend, so filters and buckets are the
// same integer arithmetic everywhere. The payload comes last: SQLite reads
// a record's columns front to back, so a large payload placed before the
// metrics would be walked (and its overflow pages read) by every metric
// query.
var Columns []Column

// ColumnNames are Columns' names; ColumnList joins them for SELECT and
// INSERT.
var (
	ColumnNames []string
	ColumnList  string
)

// access reads one column from a Row (value) and names where a scan puts
// it (dest): the single place that ties columns to Row fields.
type access struct {
	value func(*probedata.Row) any
	dest  func(*Scanner) any
}

var accessors []access

func init() {
	add := func(name string, kind Kind, value func(*probedata.Row) any, dest func(*Scanner) any) {
		Columns = append(Columns, Column{name, kind})
		accessors = append(accessors, access{value, dest})
	}
	add("id", Int, func(r *probedata.Row) any { return r.ID }, func(s *Scanner) any { return &s.row.ID })
	add("workspace_id", Int, func(r *probedata.Row) any { return r.WorkspaceID }, func(s *Scanner) any { return &s.row.WorkspaceID })
	add("probe_id", Int, func(r *probedata.Row) any { return r.ProbeID }, func(s *Scanner) any { return &s.row.ProbeID })
	add("probe_agent_id", Int, func(r *probedata.Row) any { return r.ProbeAgentID }, func(s *Scanner) any { return &s.row.ProbeAgentID })
	add("agent_id", Int, func(r *probedata.Row) any { return r.AgentID }, func(s *Scanner) any { return &s.row.AgentID })
	add("type", Text, func(r *probedata.Row) any { return r.Type }, func(s *Scanner) any { return &s.row.Type })
	add("target", Text, func(r *probedata.Row) any { return r.Target }, func(s *Scanner) any { return &s.row.Target })
	add("target_agent", Int, func(r *probedata.Row) any { return r.TargetAgent }, func(s *Scanner) any { return &s.row.TargetAgent })
	add("triggered", Bool, func(r *probedata.Row) any { return r.Triggered }, func(s *Scanner) any { return &s.row.Triggered })
	add("triggered_reason", Text, func(r *probedata.Row) any { return r.TriggeredReason }, func(s *Scanner) any { return &s.row.TriggeredReason })
	add("created_ms", Int, func(r *probedata.Row) any { return r.CreatedAt.UnixMilli() }, func(s *Scanner) any { return &s.created })
	add("received_ms", Int, func(r *probedata.Row) any { return r.ReceivedAt.UnixMilli() }, func(s *Scanner) any { return &s.received })
	add("uid", Text, func(r *probedata.Row) any { return r.UID }, func(s *Scanner) any { return &s.row.UID })
	add("path", Text, func(r *probedata.Row) any { return r.Path }, func(s *Scanner) any { return &s.row.Path })
	for _, m := range metricColumns {
		add(m.name, Metric, func(r *probedata.Row) any { return *m.field(&r.Metrics) },
			func(s *Scanner) any { return m.field(&s.row.Metrics) })
	}
	add("payload", Text, func(r *probedata.Row) any { return string(r.Payload) }, func(s *Scanner) any { return &s.payload })

	for _, c := range Columns {
		ColumnNames = append(ColumnNames, c.Name)
	}
	ColumnList = strings.Join(ColumnNames, ", ")
}

// Values returns r's column values in Columns order. Metrics without a
// value are nil pointers, which every driver writes as NULL.
func Values(r *probedata.Row) []any {
	vals := make([]any, len(accessors))
	for i, a := range accessors {
		vals[i] = a.value(r)
	}
	return vals
}

// Scanner reads one row selected with ColumnList.
type Scanner struct {
	row               probedata.Row
	created, received int64
	payload           string
	dest              []any
}

// NewScanner returns a Scanner whose Dest can be reused for every row.
func NewScanner() *Scanner {
	s := &Scanner{}
	for _, a := range accessors {
		s.dest = append(s.dest, a.dest(s))
	}
	return s
}

// Dest are the scan destinations, in Columns order.
func (s *Scanner) Dest() []any { return s.dest }

// Row returns the row last scanned.
func (s *Scanner) Row() probedata.Row {
	r := s.row
	r.CreatedAt = FromMillis(s.created)
	r.ReceivedAt = FromMillis(s.received)
	r.Payload = json.RawMessage(s.payload)
	// Drivers write NULL through the metric pointers as nil and allocate a
	// value only when *dest is nil, so clearing them keeps the returned
	// row from sharing values with the next scan.
	s.row.Metrics = metrics.Values{}
	return r
}

// FromMillis is the UTC time of Unix milliseconds.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// ReadAll reads every row of a ColumnList query; the caller closes rows.
func ReadAll(rows Rows) ([]probedata.Row, error) {
	out := []probedata.Row{}
	sc := NewScanner()
	for rows.Next() {
		if err := rows.Scan(sc.Dest()...); err != nil {
			return nil, fmt.Errorf("read probe data: %w", err)
		}
		out = append(out, sc.Row())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read probe data: %w", err)
	}
	return out, nil
}
