package alerts

import (
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/protocol/metrics"
)

// Severities.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Limits and defaults of rule fields (CONTRACT §7).
const (
	maxNameLen      = 128
	maxCount        = 1000 // for_count, clear_count
	maxCooldown     = 24 * 60
	defaultCooldown = 5
	maxURLLen       = 2048
	maxSecretLen    = 256
)

// Rule is an alert rule (AlertRule JSON). The webhook secret is write-only:
// it is kept for signing and only its presence is shown.
type Rule struct {
	ID               int64     `json:"id"`
	WorkspaceID      int64     `json:"workspace_id"`
	Name             string    `json:"name"`
	Metric           string    `json:"metric"`
	Operator         string    `json:"operator"` // symbol form
	Threshold        float64   `json:"threshold"`
	Severity         string    `json:"severity"`
	ProbeID          *int64    `json:"probe_id"`
	AgentID          *int64    `json:"agent_id"`
	ForCount         int       `json:"for_count"`
	ClearCount       int       `json:"clear_count"`
	CooldownMinutes  int       `json:"cooldown_minutes"`
	NotifyPanel      bool      `json:"notify_panel"`
	NotifyWebhook    bool      `json:"notify_webhook"`
	WebhookURL       *string   `json:"webhook_url"`
	HasWebhookSecret bool      `json:"has_webhook_secret"`
	Enabled          bool      `json:"enabled"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`

	webhookSecret string
}

// RuleInput is the body of a rule create (absent fields take defaults) or
// update (absent fields are kept; null clears the nullable ones).
type RuleInput struct {
	Name            Optional[string]  `json:"name"`
	Metric          Optional[string]  `json:"metric"`
	Operator        Optional[string]  `json:"operator"`
	Threshold       Optional[float64] `json:"threshold"`
	Severity        Optional[string]  `json:"severity"`
	ProbeID         Optional[int64]   `json:"probe_id"`
	AgentID         Optional[int64]   `json:"agent_id"`
	ForCount        Optional[int]     `json:"for_count"`
	ClearCount      Optional[int]     `json:"clear_count"`
	CooldownMinutes Optional[int]     `json:"cooldown_minutes"`
	NotifyPanel     Optional[bool]    `json:"notify_panel"`
	NotifyWebhook   Optional[bool]    `json:"notify_webhook"`
	WebhookURL      Optional[string]  `json:"webhook_url"`
	WebhookSecret   Optional[string]  `json:"webhook_secret"`
	Enabled         Optional[bool]    `json:"enabled"`
}

// newRule is a rule with the defaults of CONTRACT §7.
func newRule(workspaceID int64) Rule {
	return Rule{WorkspaceID: workspaceID, Severity: SeverityWarning, ForCount: 1, ClearCount: 1,
		CooldownMinutes: defaultCooldown, NotifyPanel: true, Enabled: true}
}

// requireCreateFields names the first required field a create body lacks.
func (in RuleInput) requireCreateFields() error {
	for _, f := range []struct {
		name string
		set  bool
	}{{"name", in.Name.Set}, {"metric", in.Metric.Set}, {"operator", in.Operator.Set}, {"threshold", in.Threshold.Set}} {
		if !f.set {
			return apperr.Invalidf("%s is required", f.name)
		}
	}
	return nil
}

// apply validates the given fields and copies them onto r. Checks that
// need the database (probe and agent scope) are the caller's.
func (in RuleInput) apply(r *Rule) error {
	steps := []func(*Rule) error{
		in.applyName, in.applyCondition, in.applyScope, in.applyCounts, in.applyNotifications,
	}
	for _, step := range steps {
		if err := step(r); err != nil {
			return err
		}
	}
	if r.NotifyWebhook && r.WebhookURL == nil {
		return apperr.Invalidf("webhook_url is required when notify_webhook is true")
	}
	return nil
}

func (in RuleInput) applyName(r *Rule) error {
	if err := notNull("name", in.Name.Set && in.Name.Null); err != nil {
		return err
	}
	if in.Name.Set {
		name := strings.TrimSpace(in.Name.Value)
		if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLen {
			return apperr.Invalidf("name is required and must be 1-%d characters", maxNameLen)
		}
		r.Name = name
	}
	return nil
}

func (in RuleInput) applyCondition(r *Rule) error {
	for _, f := range []struct {
		name string
		null bool
	}{{"metric", in.Metric.Null}, {"operator", in.Operator.Null}, {"threshold", in.Threshold.Null}, {"severity", in.Severity.Null}} {
		if err := notNull(f.name, f.null); err != nil {
			return err
		}
	}
	if in.Metric.Set {
		m := strings.ToLower(strings.TrimSpace(in.Metric.Value))
		if !metrics.IsMetric(m) {
			return apperr.Invalidf("metric %q is not one of %s", in.Metric.Value, strings.Join(metricNames(), ", "))
		}
		r.Metric = m
	}
	if in.Operator.Set {
		op, err := parseOperator(in.Operator.Value)
		if err != nil {
			return err
		}
		r.Operator = op.String()
	}
	if in.Threshold.Set {
		if math.IsNaN(in.Threshold.Value) || math.IsInf(in.Threshold.Value, 0) {
			return apperr.Invalidf("threshold must be a finite number")
		}
		r.Threshold = in.Threshold.Value
	}
	if in.Severity.Set {
		s := strings.ToLower(strings.TrimSpace(in.Severity.Value))
		if s != SeverityInfo && s != SeverityWarning && s != SeverityCritical {
			return apperr.Invalidf("severity %q is not one of info, warning, critical", in.Severity.Value)
		}
		r.Severity = s
	}
	return nil
}

func (in RuleInput) applyScope(r *Rule) error {
	for _, f := range []struct {
		name string
		in   Optional[int64]
		out  **int64
	}{{"probe_id", in.ProbeID, &r.ProbeID}, {"agent_id", in.AgentID, &r.AgentID}} {
		switch {
		case !f.in.Set:
		case f.in.Null:
			*f.out = nil
		case f.in.Value <= 0:
			return apperr.Invalidf("%s must be a positive id or null", f.name)
		default:
			id := f.in.Value
			*f.out = &id
		}
	}
	return nil
}

func (in RuleInput) applyCounts(r *Rule) error {
	for _, f := range []struct {
		name   string
		in     Optional[int]
		out    *int
		lo, hi int
	}{
		{"for_count", in.ForCount, &r.ForCount, 1, maxCount},
		{"clear_count", in.ClearCount, &r.ClearCount, 1, maxCount},
		{"cooldown_minutes", in.CooldownMinutes, &r.CooldownMinutes, 0, maxCooldown},
	} {
		if !f.in.Set {
			continue
		}
		if f.in.Null || f.in.Value < f.lo || f.in.Value > f.hi {
			return apperr.Invalidf("%s must be an integer from %d to %d", f.name, f.lo, f.hi)
		}
		*f.out = f.in.Value
	}
	return nil
}

func (in RuleInput) applyNotifications(r *Rule) error {
	for _, f := range []struct {
		name string
		in   Optional[bool]
		out  *bool
	}{{"notify_panel", in.NotifyPanel, &r.NotifyPanel}, {"notify_webhook", in.NotifyWebhook, &r.NotifyWebhook}, {"enabled", in.Enabled, &r.Enabled}} {
		if err := notNull(f.name, f.in.Null); err != nil {
			return err
		}
		if f.in.Set {
			*f.out = f.in.Value
		}
	}
	switch {
	case !in.WebhookURL.Set:
	case in.WebhookURL.Null || strings.TrimSpace(in.WebhookURL.Value) == "":
		r.WebhookURL = nil
	default:
		u, err := webhookURL(in.WebhookURL.Value)
		if err != nil {
			return err
		}
		r.WebhookURL = &u
	}
	if in.WebhookSecret.Set {
		if utf8.RuneCountInString(in.WebhookSecret.Value) > maxSecretLen {
			return apperr.Invalidf("webhook_secret must be at most %d characters", maxSecretLen)
		}
		r.webhookSecret = in.WebhookSecret.Value // null or "" removes it
	}
	r.HasWebhookSecret = r.webhookSecret != ""
	return nil
}

func notNull(field string, null bool) error {
	if null {
		return apperr.Invalidf("%s cannot be null", field)
	}
	return nil
}

// webhookURL accepts absolute http(s) URLs with a host. Where the host
// points is checked at delivery time, after DNS resolution.
func webhookURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "", apperr.Invalidf("webhook_url %q must be an absolute http:// or https:// URL", raw)
	}
	if len(raw) > maxURLLen {
		return "", apperr.Invalidf("webhook_url must be at most %d characters", maxURLLen)
	}
	return raw, nil
}
