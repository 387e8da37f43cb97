package realtime

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/speedtest"
)

// frameOf runs an event through a broker and returns what a subscriber of
// its workspace (all probes) receives.
func frameOf(t *testing.T, e Event) string {
	t.Helper()
	l := startLocal(t, 0)
	s := subscribe(t, l, 1<<20)
	s.Add(e.WorkspaceID, 0)
	l.Publish(e)
	return string(s.next(t).Frame)
}

func TestMessageShapes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := []probedata.Row{{ID: 9, WorkspaceID: 1, ProbeID: 5, ProbeAgentID: 10, AgentID: 10, Type: "PING", Target: "8.8.8.8",
		CreatedAt: at, ReceivedAt: at, Payload: json.RawMessage(`{"avg_rtt":1}`)}}
	probeData := ProbeData(rows)
	alert := func() Event {
		rec := &recorder{}
		PublishAlert(rec, 1, map[string]any{"id": 3, "status": "active"})
		return rec.events[0]
	}()
	cases := []struct {
		name string
		ev   Event
		want string
	}{
		{"probe_data", probeData[0], `{"type":"probe_data","workspace_id":1,"probe_id":5,"agent_id":10,"probe_type":"PING","data":` +
			`{"id":9,"probe_id":5,"probe_agent_id":10,"agent_id":10,"type":"PING","target":"8.8.8.8","target_agent":0,"triggered":false,` +
			`"triggered_reason":"","created_at":"2026-01-01T00:00:00Z","received_at":"2026-01-01T00:00:00Z","payload":{"avg_rtt":1}}}`},
		{"speedtest_update", Speedtest(speedtest.Update{WorkspaceID: 1, AgentID: 10, QueueID: 456, Status: "running"}),
			`{"type":"speedtest_update","workspace_id":1,"agent_id":10,"queue_id":456,"status":"running"}`},
		{"alert", alert, `{"type":"alert","workspace_id":1,"alert":{"id":3,"status":"active"}}`},
		{"network_map_update", NetworkMap(1, map[string]any{"workspace_id": 1, "nodes": []any{}}),
			`{"type":"network_map_update","nodes":[],"workspace_id":1}`},
		{"empty body", Event{WorkspaceID: 1, Kind: KindAlert, Body: struct{}{}}, `{"type":"alert"}`},
	}
	for _, c := range cases {
		if got := frameOf(t, c.ev); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	if probeData[0].ProbeID != 5 || probeData[0].Kind != KindProbeData {
		t.Errorf("probe_data event header %+v", probeData[0])
	}
}

func TestWorkspaceChangedReachesSubscribersWithoutAFrame(t *testing.T) {
	t.Parallel()
	l := startLocal(t, 0)
	s := subscribe(t, l, 1<<20)
	s.Add(4, 9) // a probe subscription still hears of workspace changes
	l.Publish(WorkspaceChanged(4))
	if m := s.next(t); m.Kind != KindChanged || m.WorkspaceID != 4 || m.Frame != nil {
		t.Errorf("got %+v", m)
	}
}

type recorder struct{ events []Event }

func (r *recorder) Publish(events ...Event) { r.events = append(r.events, events...) }
