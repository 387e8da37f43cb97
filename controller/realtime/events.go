package realtime

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/speedtest"
)

// This file builds the events of each kind; the message shapes are those
// of the API reference (Panel WebSocket API) and CONTRACT §6b.

// probeDataBody is a probe_data message; it writes its JSON itself so the
// row is encoded in one pass (it is the bulk of what panels receive).
type probeDataBody struct{ row *probedata.Row }

func (b probeDataBody) MarshalJSON() ([]byte, error) {
	r := b.row
	data, err := r.MarshalJSON()
	if err != nil {
		return nil, err
	}
	typ, err := json.Marshal(r.Type)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(typ)+96)
	out = append(out, `{"workspace_id":`...)
	out = strconv.AppendInt(out, r.WorkspaceID, 10)
	out = append(out, `,"probe_id":`...)
	out = strconv.AppendInt(out, r.ProbeID, 10)
	out = append(out, `,"agent_id":`...)
	out = strconv.AppendInt(out, r.AgentID, 10)
	out = append(out, `,"probe_type":`...)
	out = append(out, typ...)
	out = append(out, `,"data":`...)
	out = append(out, data...)
	return append(out, '}'), nil
}

// ProbeData turns committed rows into probe_data events, leaving encoding
// to the dispatcher. The events point into rows, which must not change
// afterwards (the pipeline hands each committed batch over for good).
func ProbeData(rows []probedata.Row) []Event {
	events := make([]Event, len(rows))
	for i := range rows {
		r := &rows[i]
		events[i] = Event{WorkspaceID: r.WorkspaceID, Kind: KindProbeData, ProbeID: r.ProbeID, Body: probeDataBody{r}}
	}
	return events
}

// Speedtest is the speedtest_update event of a queue status change.
func Speedtest(u speedtest.Update) Event {
	return Event{WorkspaceID: u.WorkspaceID, Kind: KindSpeedtest, Body: u}
}

type alertBody struct {
	WorkspaceID int64 `json:"workspace_id"`
	Alert       any   `json:"alert"`
}

// PublishAlert sends {"type":"alert","workspace_id":W,"alert":alert} to the
// subscribers of workspace W; alert is the Alert JSON (CONTRACT §7).
func PublishAlert(p Publisher, workspaceID int64, alert any) {
	p.Publish(Event{WorkspaceID: workspaceID, Kind: KindAlert, Body: alertBody{WorkspaceID: workspaceID, Alert: alert}})
}

// NetworkMap is the network_map_update event; m is the map (its JSON object
// carries workspace_id, nodes, edges and generated_at).
func NetworkMap(workspaceID int64, m any) Event {
	return Event{WorkspaceID: workspaceID, Kind: KindNetworkMap, Body: m}
}

// WorkspaceChanged tells the workspace's subscribers to re-check access.
func WorkspaceChanged(workspaceID int64) Event {
	return Event{WorkspaceID: workspaceID, Kind: KindChanged}
}

// encode writes body as the message of kind: body's JSON object with
// "type" first. A body that marshals itself is trusted to write valid
// JSON and is not re-scanned.
func encode(kind Kind, body any) ([]byte, error) {
	var fields []byte
	var err error
	if m, ok := body.(json.Marshaler); ok {
		fields, err = m.MarshalJSON()
	} else {
		fields, err = json.Marshal(body)
	}
	if err != nil {
		return nil, err
	}
	if len(fields) < 2 || fields[0] != '{' {
		return nil, fmt.Errorf("%s body is not a JSON object", kind)
	}
	typ, _ := json.Marshal(kind)
	out := make([]byte, 0, len(fields)+len(typ)+9)
	out = append(out, `{"type":`...)
	out = append(out, typ...)
	if len(fields) > 2 {
		out = append(out, ',')
	}
	return append(out, fields[1:]...), nil
}
