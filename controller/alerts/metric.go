package alerts

import "github.com/netwatcher/netwatcher/protocol/metrics"

// catalogue indexes METRICS.md's table once, for validation messages,
// the evaluator's result-type index and alert messages.
var catalogue = func() map[string]metrics.Definition {
	out := map[string]metrics.Definition{}
	for _, d := range metrics.Definitions() {
		out[d.Name] = d
	}
	return out
}()

// metricNames lists the metrics a rule may use, in METRICS.md's order.
func metricNames() []string {
	var names []string
	for _, d := range metrics.Definitions() {
		names = append(names, d.Name)
	}
	return names
}
