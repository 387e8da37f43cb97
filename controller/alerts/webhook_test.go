package alerts_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/alerts/webhook"
	"github.com/netwatcher/netwatcher/controller/probes"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

// receiver is a webhook endpoint that answers from a script of statuses
// (the last one repeats) and records what it got.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	script   []int
	requests []received
}

type received struct {
	signature string
	body      []byte
}

func newReceiver(t *testing.T, script ...int) *receiver {
	rc := &receiver{script: script}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests = append(rc.requests, received{signature: r.Header.Get(webhook.SignatureHeader), body: body})
		status := rc.script[min(len(rc.requests), len(rc.script))-1]
		rc.mu.Unlock()
		if status == http.StatusFound {
			http.Redirect(w, r, "/elsewhere", status)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

// eventually polls cond until it holds or the (generous) deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var fastRetries = alerts.Backoff{First: 20 * time.Millisecond, Max: 50 * time.Millisecond, Window: 5 * time.Second}

// webhookFixture has a running service and a PING probe with a loss rule
// that calls url.
func webhookFixture(t *testing.T, b testenv.Backend, cfg alerts.Config, url, secret string) (*fixture, func(pct float64)) {
	f := newFixture(t, b, cfg)
	f.run()
	ag := f.agent("edge")
	p := f.probe(ag.ID, probes.Spec{Type: "PING", Targets: []string{"192.0.2.1"}})
	body, _ := json.Marshal(map[string]any{"name": "loss", "metric": "packet_loss", "operator": ">", "threshold": 5,
		"notify_webhook": true, "webhook_url": url, "webhook_secret": secret})
	f.rule(string(body))
	return f, func(pct float64) { f.feed(f.result(p, ag.ID, "PING", "192.0.2.1", loss(pct))) }
}

func (f *fixture) deliveries(alertID int64) []alerts.Delivery {
	f.t.Helper()
	list, err := f.svc.Deliveries(f.ctx, f.ws, alertID)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// TestWebhookSignedRetriedAndResolved: the triggered notification is signed,
// retried after a 500, and followed by a resolved notification; every
// attempt is listed.
func TestWebhookSignedRetriedAndResolved(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testenv.Backend) {
		rc := newReceiver(t, http.StatusInternalServerError, http.StatusOK)
		f, ping := webhookFixture(t, b, alerts.Config{WebhookDeny: []netip.Prefix{}, Backoff: fastRetries}, rc.URL+"/hook", "s3cret")
		ping(50)
		eventually(t, "the retried triggered notification", func() bool { return len(rc.got()) >= 2 })
		ping(0)
		eventually(t, "the resolved notification", func() bool { return len(rc.got()) >= 3 })

		var events []string
		for _, r := range rc.got() {
			if r.signature != webhook.Sign("s3cret", r.body) {
				t.Errorf("signature %q does not match the body %s", r.signature, r.body)
			}
			var body map[string]any
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			if body["metric"] != "packet_loss" || body["agent_name"] != "edge" || body["id"] == nil {
				t.Errorf("body is not the Alert JSON: %s", r.body)
			}
			events = append(events, fmt.Sprint(body["event"], "/", body["status"]))
		}
		if want := "triggered/active triggered/active resolved/resolved"; strings.Join(events, " ") != want {
			t.Errorf("events %v, want %s", events, want)
		}

		alertID := f.list("")[0].ID
		var attempts []string
		eventually(t, "three recorded attempts", func() bool { return len(f.deliveries(alertID)) == 3 })
		for _, d := range f.deliveries(alertID) {
			code := "none"
			if d.StatusCode != nil {
				code = fmt.Sprint(*d.StatusCode)
			}
			attempts = append(attempts, fmt.Sprintf("%s#%d:%s:%v", d.Event, d.Attempt, code, d.Error != nil))
			if d.At.IsZero() || d.DurationMs <= 0 {
				t.Errorf("delivery %+v lacks a time or duration", d)
			}
		}
		if want := "triggered#1:500:true triggered#2:200:false resolved#1:200:false"; strings.Join(attempts, " ") != want {
			t.Errorf("deliveries %v, want %s", attempts, want)
		}
	})
}

// TestWebhookRefusals: a denied destination and a redirect are each tried
// once, recorded, and not retried; the redirect target is never called.
func TestWebhookRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		deny     []netip.Prefix
		script   int
		code     *int64
		fragment string
		requests int
	}{
		{"denied by default", nil, http.StatusOK, nil, "refused by NETWATCHER_WEBHOOK_DENY", 0},
		{"redirect", []netip.Prefix{}, http.StatusFound, ptr[int64](http.StatusFound), "redirect", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, c.script)
			f, ping := webhookFixture(t, testenv.SQLite, alerts.Config{WebhookDeny: c.deny, Backoff: fastRetries}, rc.URL, "")
			ping(50)
			alertID := f.list("")[0].ID
			eventually(t, "a recorded attempt", func() bool { return len(f.deliveries(alertID)) == 1 })
			time.Sleep(5 * fastRetries.Max) // long enough for a retry, were there one
			list := f.deliveries(alertID)
			if len(list) != 1 {
				t.Fatalf("%d attempts, want 1: %+v", len(list), list)
			}
			d := list[0]
			if (d.StatusCode == nil) != (c.code == nil) || (d.StatusCode != nil && *d.StatusCode != *c.code) ||
				d.Error == nil || !strings.Contains(*d.Error, c.fragment) {
				t.Errorf("delivery %+v, want status %v and an error mentioning %q", d, c.code, c.fragment)
			}
			if n := len(rc.got()); n != c.requests {
				t.Errorf("receiver got %d requests, want %d", n, c.requests)
			}
		})
	}
}

// TestWebhookGivesUpAfterWindow: a receiver that keeps failing is retried
// with growing delays until the window closes, then left alone.
func TestWebhookGivesUpAfterWindow(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, http.StatusServiceUnavailable)
	backoff := alerts.Backoff{First: 20 * time.Millisecond, Max: 80 * time.Millisecond, Window: 400 * time.Millisecond}
	f, ping := webhookFixture(t, testenv.SQLite, alerts.Config{WebhookDeny: []netip.Prefix{}, Backoff: backoff}, rc.URL, "")
	ping(50)
	time.Sleep(backoff.Window + 5*backoff.Max)
	n := len(rc.got())
	if n < 4 || n > 10 {
		t.Fatalf("%d attempts in a %v window with delays 20, 40, 80, 80… ms, want 4-10", n, backoff.Window)
	}
	time.Sleep(3 * backoff.Max)
	if len(rc.got()) != n {
		t.Errorf("still retrying after the window closed")
	}
	if d := f.deliveries(f.list("")[0].ID); len(d) != n {
		t.Errorf("%d attempts recorded, %d made", len(d), n)
	}
}
