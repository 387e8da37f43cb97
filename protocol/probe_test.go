package protocol

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// The golden list has the exact shape deployed agents read in probe_get.
func TestProbeListRoundTripsByteForByte(t *testing.T) {
	t.Parallel()
	golden, err := os.ReadFile("testdata/probe_list.json")
	if err != nil {
		t.Fatal(err)
	}
	golden = bytes.TrimSpace(golden)
	var probes []Probe
	if err := json.Unmarshal(golden, &probes); err != nil {
		t.Fatalf("decode golden list: %v", err)
	}
	if agent := probes[0].Targets[1].AgentID; agent == nil || *agent != 12 {
		t.Errorf("second target agent_id = %v, want 12", agent)
	}
	if probes[0].Targets[0].AgentID != nil {
		t.Errorf("first target agent_id = %v, want null", *probes[0].Targets[0].AgentID)
	}
	got, err := json.Marshal(probes)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, golden) {
		t.Errorf("re-encoded list differs:\n got %s\nwant %s", got, golden)
	}
}

func TestProbeJSONNeverNullAndUTC(t *testing.T) {
	t.Parallel()
	plus2 := time.FixedZone("UTC+2", 2*60*60)
	p := Probe{
		ID: 1, WorkspaceID: 2, AgentID: 3, Type: TypeNetinfo, Enabled: true,
		CreatedAt: time.Date(2026, 1, 1, 2, 0, 0, 0, plus2),
		UpdatedAt: time.Date(2026, 1, 1, 2, 30, 0, 0, plus2),
	}
	got, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:30:00Z",` +
		`"workspace_id":2,"agent_id":3,"type":"NETINFO","enabled":true,"interval_sec":0,"timeout_sec":0,` +
		`"count":0,"duration_sec":0,"server":false,"labels":{},"metadata":{},"targets":[]}`
	if string(got) != want {
		t.Errorf("Marshal = %s\nwant      %s", got, want)
	}

	target, err := json.Marshal(ProbeTarget{ID: 4, ProbeID: 1, Target: "1.1.1.1", CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
	if err != nil {
		t.Fatal(err)
	}
	wantTarget := `{"id":4,"probe_id":1,"target":"1.1.1.1","agent_id":null,"group_id":null,` +
		`"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:30:00Z"}`
	if string(target) != wantTarget {
		t.Errorf("Marshal target = %s\nwant             %s", target, wantTarget)
	}
}

func TestProbeLabelsAndMetadataMustBeObjects(t *testing.T) {
	t.Parallel()
	var p Probe
	if err := json.Unmarshal([]byte(`{"labels":null,"metadata":{ "dns_server" : "1.1.1.1" }}`), &p); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if p.Labels != nil || string(p.Metadata) != `{ "dns_server" : "1.1.1.1" }` {
		t.Errorf("labels %q metadata %q", p.Labels, p.Metadata)
	}
	for _, body := range []string{`{"labels":["a"]}`, `{"metadata":"x"}`, `{"metadata":3}`, `{"labels":true}`} {
		err := json.Unmarshal([]byte(body), &p)
		field := strings.Split(body, `"`)[1]
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("decode %s: error %v, want one naming %q", body, err, field)
		}
	}
	if _, err := json.Marshal(Probe{Metadata: JSONObject(`[1]`)}); err == nil {
		t.Error("Marshal accepted metadata that is not an object")
	}
}

func TestProbeDataKeepsPayloadBytes(t *testing.T) {
	t.Parallel()
	payload := `{ "avg_rtt": 12345678, "addr" : "8.8.8.8", "nested": {"x": [1, 2.50]} }`
	posted := `{"probe_id":5,"triggered":false,"triggered_reason":"","created_at":"2026-01-01T00:00:00Z",` +
		`"type":"PING","payload":` + payload + `,"target":"8.8.8.8","target_agent":0}`
	var pd ProbeData
	if err := json.Unmarshal([]byte(posted), &pd); err != nil {
		t.Fatal(err)
	}
	if string(pd.Payload) != payload {
		t.Errorf("payload = %s, want the posted bytes %s", pd.Payload, payload)
	}
	if pd.ProbeID != 5 || pd.Type != TypePing || pd.Target != "8.8.8.8" || pd.TargetAgent != 0 || pd.UID != "" {
		t.Errorf("decoded %+v", pd)
	}

	out, err := json.Marshal(ProbeData{ProbeID: 1, Type: TypeDNS, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Payload: json.RawMessage(`{}`), UID: "r-1"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"probe_id":1,"triggered":false,"triggered_reason":"","created_at":"2026-01-01T00:00:00Z","type":"DNS","payload":{},"uid":"r-1"}`
	if string(out) != want {
		t.Errorf("Marshal = %s\nwant      %s", out, want)
	}
}
