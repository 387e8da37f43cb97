package config

import (
	"net/netip"
	"slices"
	"testing"
)

// TestWebhookDeny: unset keeps the built-in list (nil), "none" allows every
// destination (empty), a list replaces the default.
func TestWebhookDeny(t *testing.T) {
	t.Parallel()
	cases := []struct {
		value string
		want  []netip.Prefix
	}{
		{"", nil},
		{"none", []netip.Prefix{}},
		{"NONE", []netip.Prefix{}},
		{"10.0.0.0/8, 192.0.2.7", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}},
	}
	for _, c := range cases {
		cfg, err := Load("serve", nil, env(map[string]string{"NETWATCHER_WEBHOOK_DENY": c.value}))
		if err != nil {
			t.Fatalf("%q: %v", c.value, err)
		}
		if (cfg.WebhookDeny == nil) != (c.want == nil) || !slices.Equal(cfg.WebhookDeny, c.want) {
			t.Errorf("%q gave %v (nil %v), want %v (nil %v)", c.value, cfg.WebhookDeny, cfg.WebhookDeny == nil, c.want, c.want == nil)
		}
	}
	if _, err := Load("serve", []string{"--webhook-deny", "loopback"}, env(nil)); err == nil {
		t.Error("an invalid CIDR was accepted")
	}
}
