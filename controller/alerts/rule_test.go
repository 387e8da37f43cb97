package alerts

import (
	"encoding/json"
	"strings"
	"testing"
)

func decodeInput(t *testing.T, body string) RuleInput {
	t.Helper()
	var in RuleInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return in
}

func TestRuleDefaults(t *testing.T) {
	t.Parallel()
	in := decodeInput(t, `{"name":" Loss ","metric":"packet_loss","operator":"gt","threshold":5}`)
	if err := in.requireCreateFields(); err != nil {
		t.Fatal(err)
	}
	r := newRule(1)
	if err := in.apply(&r); err != nil {
		t.Fatal(err)
	}
	if r.Name != "Loss" || r.Operator != ">" || r.Severity != SeverityWarning || r.ForCount != 1 || r.ClearCount != 1 ||
		r.CooldownMinutes != 5 || !r.NotifyPanel || r.NotifyWebhook || r.WebhookURL != nil || r.HasWebhookSecret ||
		!r.Enabled || r.ProbeID != nil || r.AgentID != nil {
		t.Errorf("defaults: %+v", r)
	}
}

func TestRuleValidation(t *testing.T) {
	t.Parallel()
	base := `"name":"r","metric":"latency","operator":">","threshold":1`
	cases := []struct {
		body, fragment string
	}{
		{`{"metric":"latency","operator":">","threshold":1}`, "name is required"},
		{`{"name":"r","operator":">","threshold":1}`, "metric is required"},
		{`{"name":"r","metric":"latency","threshold":1}`, "operator is required"},
		{`{"name":"r","metric":"latency","operator":">"}`, "threshold is required"},
		{`{` + base + `,"name":"` + strings.Repeat("x", 129) + `"}`, "1-128"},
		{`{` + base + `,"metric":"rtt"}`, `metric "rtt" is not one of packet_loss`},
		{`{` + base + `,"operator":"=>"}`, "operator"},
		{`{` + base + `,"threshold":null}`, "threshold cannot be null"},
		{`{` + base + `,"severity":"fatal"}`, "severity"},
		{`{` + base + `,"for_count":0}`, "for_count must be an integer from 1 to 1000"},
		{`{` + base + `,"clear_count":1001}`, "clear_count"},
		{`{` + base + `,"cooldown_minutes":-1}`, "cooldown_minutes"},
		{`{` + base + `,"probe_id":0}`, "probe_id must be a positive id"},
		{`{` + base + `,"notify_webhook":true}`, "webhook_url is required"},
		{`{` + base + `,"notify_webhook":true,"webhook_url":"ftp://x"}`, "http:// or https://"},
		{`{` + base + `,"webhook_url":"/relative"}`, "absolute"},
		{`{` + base + `,"webhook_secret":"` + strings.Repeat("s", 257) + `"}`, "webhook_secret"},
		{`{` + base + `,"enabled":null}`, "enabled cannot be null"},
	}
	for _, c := range cases {
		in := decodeInput(t, c.body)
		err := in.requireCreateFields()
		if err == nil {
			r := newRule(1)
			err = in.apply(&r)
		}
		if err == nil || !strings.Contains(err.Error(), c.fragment) {
			t.Errorf("%s: error %v, want one mentioning %q", c.body, err, c.fragment)
		}
	}
}

func TestRulePatchKeepsAbsentAndClearsNull(t *testing.T) {
	t.Parallel()
	probe, agent, url := int64(3), int64(4), "https://hooks.example/x"
	r := Rule{Name: "r", Metric: "latency", Operator: ">", Threshold: 1, ProbeID: &probe, AgentID: &agent,
		WebhookURL: &url, webhookSecret: "s", HasWebhookSecret: true, ForCount: 2, ClearCount: 2}
	if err := decodeInput(t, `{"probe_id":null,"webhook_secret":"","threshold":2.5}`).apply(&r); err != nil {
		t.Fatal(err)
	}
	if r.ProbeID != nil || r.AgentID == nil || *r.AgentID != 4 || r.HasWebhookSecret || r.webhookSecret != "" ||
		r.Threshold != 2.5 || r.ForCount != 2 || r.WebhookURL == nil {
		t.Errorf("after patch: %+v", r)
	}
	if err := decodeInput(t, `{"webhook_secret":"new"}`).apply(&r); err != nil || !r.HasWebhookSecret {
		t.Errorf("setting a secret: %v, has_webhook_secret %v", err, r.HasWebhookSecret)
	}
	out, _ := json.Marshal(r)
	if strings.Contains(string(out), "new") || !strings.Contains(string(out), `"has_webhook_secret":true`) {
		t.Errorf("the secret must be write-only: %s", out)
	}
}
