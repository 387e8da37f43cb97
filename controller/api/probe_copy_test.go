package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// copyReport is the answer of a probe copy.
type copyReport struct {
	Created int              `json:"created"`
	Skipped int              `json:"skipped"`
	Errors  int              `json:"errors"`
	Results []map[string]any `json:"results"`
}

// TestProbeCopy runs every copy scenario at both paths: the agent-scoped
// one and the workspace alias with source_agent_id in the body.
func TestProbeCopy(t *testing.T) {
	t.Parallel()
	for _, scoped := range []bool{true, false} {
		name := map[bool]string{true: "agent path", false: "workspace path"}[scoped]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) { testProbeCopy(t, env, scoped) })
		})
	}
}

func testProbeCopy(t *testing.T, env *testenv.Env, agentScoped bool) {
	s := newProbeScene(t, env)
	src, b, c, d := s.agent("src"), s.agent("b"), s.agent("c"), s.agent("d")
	ping := env.CreateProbe(s.owner.Token, src, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}, "interval_sec": 30, "labels": map[string]string{"k": "v"}})
	mtr := env.CreateProbe(s.owner.Token, src, map[string]any{"type": "MTR", "targets": []string{"1.1.1.1"}, "enabled": false})
	agent := env.CreateProbe(s.owner.Token, src, map[string]any{"type": "AGENT", "agent_targets": []int64{b.ID}, "bidirectional": true, "metadata": map[string]any{"include_ping": true}})
	dns := env.CreateProbe(s.owner.Token, src, map[string]any{"type": "DNS", "targets": []string{"example.com"}, "metadata": map[string]any{"dns_server": "9.9.9.9"}})
	sources := []map[string]any{ping, mtr, agent, dns}

	doCopy := func(body map[string]any) *testenv.Response {
		t.Helper()
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		path := wsPath(s.ws, "probes", "copy")
		if agentScoped {
			path = src.Path("probes", "copy")
		} else if _, ok := b["source_agent_id"]; !ok {
			b["source_agent_id"] = src.ID
		}
		return env.Do(testenv.Request{Method: "POST", Path: path, Token: s.owner.Token, Body: b})
	}
	copyOK := func(body map[string]any) copyReport {
		t.Helper()
		r := doCopy(body)
		if r.Status != http.StatusOK {
			t.Fatalf("copy %v: %d %s", body, r.Status, r.Body)
		}
		wantKeys(t, "copy answer", r.Map(t), []string{"created", "skipped", "errors", "results"})
		var rep copyReport
		r.JSON(t, &rep)
		if rep.Results == nil {
			t.Fatalf("results is not an array: %s", r.Body)
		}
		created, skipped, errs := 0, 0, 0
		for _, res := range rep.Results {
			switch {
			case res["new_probe_id"] != nil:
				wantKeys(t, "created result", res, []string{"source_probe_id", "dest_agent_id", "new_probe_id"})
				created++
			case res["skipped"] == true:
				wantKeys(t, "skipped result", res, []string{"source_probe_id", "dest_agent_id", "skipped", "skip_reason"})
				skipped++
			default:
				wantKeys(t, "error result", res, []string{"source_probe_id", "dest_agent_id", "error"})
				errs++
			}
		}
		if created != rep.Created || skipped != rep.Skipped || errs != rep.Errors {
			t.Errorf("counts %d/%d/%d do not match the results %d/%d/%d", rep.Created, rep.Skipped, rep.Errors, created, skipped, errs)
		}
		return rep
	}
	// resultsOf summarises results as "src->dest:outcome".
	resultsOf := func(rep copyReport) []string {
		var out []string
		for _, res := range rep.Results {
			outcome := "created"
			if res["skipped"] == true {
				outcome = "skipped: " + res["skip_reason"].(string)
			} else if e, ok := res["error"].(string); ok {
				outcome = "error: " + e
			}
			out = append(out, fmt.Sprintf("%v->%v:%s", res["source_probe_id"], res["dest_agent_id"], outcome))
		}
		return out
	}
	res := func(p map[string]any, dest testenv.Agent, outcome string) string {
		return fmt.Sprintf("%v->%v:%s", p["id"], float64(dest.ID), outcome)
	}

	// Everything to c and d.
	rep := copyOK(map[string]any{"dest_agent_ids": []int64{c.ID, d.ID}, "workspace_id": s.ws})
	var want []string
	for _, p := range sources {
		want = append(want, res(p, c, "created"), res(p, d, "created"))
	}
	if rep.Created != 8 || rep.Skipped != 0 || rep.Errors != 0 || !reflect.DeepEqual(resultsOf(rep), want) {
		t.Fatalf("copy all: %+v\nresults %v\nwant    %v", rep, resultsOf(rep), want)
	}
	for _, dest := range []testenv.Agent{c, d} {
		copies := s.probes(t, dest)
		if len(copies) != len(sources) {
			t.Fatalf("agent %d has %d probes, want %d", dest.ID, len(copies), len(sources))
		}
		for i, cp := range copies {
			srcP := sources[i]
			if num(t, cp, "agent_id") != dest.ID || !sameTargets(cp, srcP) {
				t.Errorf("copy %v of %v", cp, srcP)
			}
			for _, k := range []string{"type", "enabled", "interval_sec", "timeout_sec", "count", "duration_sec", "server", "labels", "metadata"} {
				if !reflect.DeepEqual(cp[k], srcP[k]) {
					t.Errorf("copy of %v: %s = %v, want %v", srcP["id"], k, cp[k], srcP[k])
				}
			}
			if rep.Results[2*i+map[int64]int{c.ID: 0, d.ID: 1}[dest.ID]]["new_probe_id"] != cp["id"] {
				t.Errorf("new_probe_id does not name the created probe %v", cp["id"])
			}
		}
	}

	// Again: duplicates are skipped (default) and never created twice.
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{c.ID}})
	want = nil
	for _, p := range sources {
		want = append(want, res(p, c, "skipped: duplicate exists"))
	}
	if rep.Created != 0 || rep.Skipped != 4 || !reflect.DeepEqual(resultsOf(rep), want) {
		t.Errorf("copy again: %+v %v", rep, resultsOf(rep))
	}
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{c.ID}, "skip_duplicates": false})
	want = nil
	for _, p := range sources {
		want = append(want, res(p, c, "error: duplicate exists"))
	}
	if rep.Created != 0 || rep.Errors != 4 || !reflect.DeepEqual(resultsOf(rep), want) {
		t.Errorf("copy again without skip_duplicates: %+v %v", rep, resultsOf(rep))
	}
	if n := len(s.probes(t, c)); n != 4 {
		t.Errorf("c has %d probes after the repeated copies, want 4", n)
	}

	// To b: the AGENT probe targets b, so it would target itself there.
	// The reverse probe created with the pair makes no difference to the rest.
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{b.ID}, "skipDuplicates": true})
	want = []string{res(ping, b, "created"), res(mtr, b, "created"), res(agent, b, "skipped: would target itself"), res(dns, b, "created")}
	if rep.Created != 3 || rep.Skipped != 1 || !reflect.DeepEqual(resultsOf(rep), want) {
		t.Errorf("copy to the target agent: %+v %v", rep, resultsOf(rep))
	}

	// Filters, on fresh destinations.
	e, f := s.agent("e"), s.agent("f")
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{e.ID}, "probe_ids": []any{ping["id"], dns["id"]}})
	if !reflect.DeepEqual(resultsOf(rep), []string{res(ping, e, "created"), res(dns, e, "created")}) {
		t.Errorf("probe_ids: %v", resultsOf(rep))
	}
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{e.ID}, "probeTypes": []string{"mtr", "AGENT"}})
	if !reflect.DeepEqual(resultsOf(rep), []string{res(mtr, e, "created"), res(agent, e, "created")}) {
		t.Errorf("probe_types: %v", resultsOf(rep))
	}
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{f.ID}, "probe_ids": []any{ping["id"], mtr["id"]}, "probe_types": []string{"MTR"}})
	if !reflect.DeepEqual(resultsOf(rep), []string{res(mtr, f, "created")}) {
		t.Errorf("probe_ids and probe_types together: %v", resultsOf(rep))
	}
	// match_targets: only probes that target one of the destinations.
	g := s.agent("g")
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{g.ID}, "match_targets": true})
	if len(rep.Results) != 0 {
		t.Errorf("match_targets with an untargeted destination: %v", resultsOf(rep))
	}
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{b.ID, g.ID}, "matchTargets": true})
	if !reflect.DeepEqual(resultsOf(rep), []string{res(agent, b, "skipped: would target itself"), res(agent, g, "created")}) {
		t.Errorf("match_targets: %v", resultsOf(rep))
	}
	if cp := s.probes(t, g); len(cp) != 1 || cp[0]["type"] != "AGENT" || !sameTargets(cp[0], agent) {
		t.Errorf("g after match_targets: %v", cp)
	}
	// A copied reverse probe loses its link: it is not the reverse of anything.
	rev := s.probes(t, b)[0]
	if metadataOf(rev)["reverse_of"] != agent["id"] {
		t.Fatalf("b's first probe is not the reverse: %v", rev)
	}
	revCopy := s.agent("rev-copy")
	copyReq := map[string]any{"source_agent_id": b.ID, "dest_agent_ids": []int64{revCopy.ID}, "probe_ids": []any{rev["id"]}}
	r := env.Call("POST", wsPath(s.ws, "probes", "copy"), s.owner.Token, copyReq, http.StatusOK)
	var revRep copyReport
	r.JSON(t, &revRep)
	if cp := s.probes(t, revCopy); revRep.Created != 1 || len(cp) != 1 || !reflect.DeepEqual(cp[0]["metadata"], map[string]any{"include_ping": true}) {
		t.Errorf("copy of a reverse probe: %+v %v", revRep, cp)
	}

	// Refused requests create nothing.
	otherWS := env.NewWorkspace(s.owner, "Other")
	foreign := env.NewAgent(s.owner.Token, otherWS, "foreign")
	fresh := s.agent("fresh")
	otherProbe := env.CreateProbe(s.owner.Token, c, map[string]any{"type": "TLS", "targets": []string{"example.org"}})
	for _, tc := range []struct {
		name     string
		body     map[string]any
		mentions string
	}{
		{"destination in another workspace", map[string]any{"dest_agent_ids": []int64{fresh.ID, foreign.ID}}, fmt.Sprint(foreign.ID)},
		{"unknown destination", map[string]any{"dest_agent_ids": []int64{fresh.ID, 987654}}, "987654"},
		{"destination is the source", map[string]any{"dest_agent_ids": []int64{fresh.ID, src.ID}}, "source"},
		{"no destination", map[string]any{"dest_agent_ids": []int64{}}, "dest_agent_ids"},
		{"missing destination", map[string]any{}, "dest_agent_ids"},
		{"probe of another agent", map[string]any{"dest_agent_ids": []int64{fresh.ID}, "probe_ids": []any{ping["id"], otherProbe["id"]}}, fmt.Sprint(otherProbe["id"])},
		{"unknown probe type", map[string]any{"dest_agent_ids": []int64{fresh.ID}, "probe_types": []string{"ICMP"}}, "ICMP"},
		{"workspace_id mismatch", map[string]any{"dest_agent_ids": []int64{fresh.ID}, "workspace_id": otherWS}, "workspace_id"},
		{"source agent mismatch", map[string]any{"dest_agent_ids": []int64{fresh.ID}, "source_agent_id": c.ID}, "source_agent_id"},
		{"dest ids not numbers", map[string]any{"dest_agent_ids": []string{"x"}}, "dest_agent_ids"},
	} {
		if tc.name == "source agent mismatch" && !agentScoped {
			continue // on the workspace path the body names the source
		}
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, doCopy(tc.body), http.StatusBadRequest, tc.mentions)
		})
	}
	if !agentScoped {
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: wsPath(s.ws, "probes", "copy"), Token: s.owner.Token,
			Body: map[string]any{"dest_agent_ids": []int64{fresh.ID}}}), http.StatusBadRequest, "source_agent_id")
		wantError(t, doCopy(map[string]any{"source_agent_id": foreign.ID, "dest_agent_ids": []int64{fresh.ID}}), http.StatusBadRequest, fmt.Sprint(foreign.ID))
	} else {
		copyOK(map[string]any{"source_agent_id": src.ID, "dest_agent_ids": []int64{fresh.ID}, "probe_types": []string{"PING"}})
		env.Call("DELETE", fresh.Path("probes", itoa(num(t, s.probes(t, fresh)[0], "id"))), s.owner.Token, nil, 200)
	}
	for _, ag := range []testenv.Agent{fresh, foreign} {
		if n := len(listOf(t, env.Call("GET", ag.Path("probes"), s.owner.Token, nil, 200))); n != 0 {
			t.Errorf("agent %d has %d probes after refused copies", ag.ID, n)
		}
	}

	// A destination listed twice still gets one copy.
	h := s.agent("h")
	rep = copyOK(map[string]any{"dest_agent_ids": []int64{h.ID, h.ID}, "probe_ids": []any{ping["id"]}})
	if rep.Created != 1 || len(rep.Results) != 1 || len(s.probes(t, h)) != 1 {
		t.Errorf("duplicated destination: %+v", rep)
	}
	// A source without probes copies nothing.
	empty := s.agent("empty")
	r = env.Call("POST", wsPath(s.ws, "probes", "copy"), s.owner.Token, map[string]any{"source_agent_id": empty.ID, "dest_agent_ids": []int64{h.ID}}, 200)
	wantExactJSON(t, r, 200, `{"created":0,"skipped":0,"errors":0,"results":[]}`)
}

// TestProbeCopyQuota: a destination over its quota is an error result; the
// other destinations are still served.
func TestProbeCopyQuota(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		s := newProbeScene(t, env)
		src, full, roomy := s.agent("src"), s.agent("full"), s.agent("roomy")
		env.CreateProbe(s.owner.Token, src, map[string]any{"type": "PING", "targets": []string{"8.8.8.8"}})
		p2 := env.CreateProbe(s.owner.Token, src, map[string]any{"type": "MTR", "targets": []string{"8.8.8.8"}})
		env.CreateProbe(s.owner.Token, full, map[string]any{"type": "SYSINFO"})
		var rep copyReport
		env.Call("POST", src.Path("probes", "copy"), s.owner.Token, map[string]any{"dest_agent_ids": []int64{full.ID, roomy.ID}}, 200).JSON(t, &rep)
		if rep.Created != 3 || rep.Errors != 1 {
			t.Fatalf("copy with one full destination: %+v", rep)
		}
		var errored map[string]any
		for _, res := range rep.Results {
			if res["error"] != nil {
				errored = res
			}
		}
		if errored["source_probe_id"] != p2["id"] || errored["dest_agent_id"] != float64(full.ID) || errored["error"] != "probes per agent limit reached" {
			t.Errorf("error result %v, want the MTR copy to the full agent", errored)
		}
		if n := len(s.probes(t, full)); n != 2 {
			t.Errorf("full agent has %d probes, want its quota of 2", n)
		}
	}, testenv.WithQuotas(0, 2))
}
