package probesql

import (
	"testing"

	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// Every metric a result can carry has its typed column, bound to its own
// field of metrics.Values.
func TestMetricColumnsCoverEveryMetric(t *testing.T) {
	var v metrics.Values
	names := MetricNames()
	for i := range names {
		f := float64(i + 1)
		*MetricField(&v, i) = &f
	}
	got := v.Metrics()
	for i, name := range names {
		if got[name] != float64(i+1) {
			t.Errorf("column %s is bound to the wrong field of metrics.Values", name)
		}
	}
	for _, d := range metrics.Definitions() {
		if _, ok := got[d.Name]; !ok && len(d.ResultTypes) > 0 {
			t.Errorf("metric %s has no column", d.Name)
		}
	}
}
