package probesql

import "github.com/netwatcher/netwatcher/controller/probedata"

// DistinctUIDs drops rows whose (agent, uid) already occurs earlier in the
// batch, keeping the first: a resend can share a batch with its original.
func DistinctUIDs(rows []probedata.Row) []probedata.Row {
	type key struct {
		agent int64
		uid   string
	}
	seen := map[key]bool{}
	out := rows[:0:0]
	for _, r := range rows {
		if r.UID != "" {
			k := key{r.AgentID, r.UID}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, r)
	}
	return out
}
