package config

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestDefaults: with nothing set, the documented defaults apply
// (docs/configuration.md, DESIGN.md).
func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load("serve", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.JWTSecret != "" ||
		c.JWTTTL != 24*time.Hour || c.AuthRateLimit != 10 || len(c.AllowedOrigins) != 0 || len(c.TrustedProxies) != 0 ||
		c.LogFormat != "text" || c.LogLevel != "info" {
		t.Errorf("defaults = %+v", c)
	}
}

// TestEnvironmentAndFlags: every variable is read; a flag beats its variable.
func TestEnvironmentAndFlags(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"NETWATCHER_LISTEN":          "0.0.0.0:9000",
		"NETWATCHER_DATA_DIR":        "/var/lib/nw",
		"NETWATCHER_DATABASE_URL":    "postgres://nw@db/nw",
		"NETWATCHER_JWT_SECRET":      strings.Repeat("s", 32),
		"NETWATCHER_JWT_TTL":         "2h",
		"NETWATCHER_ALLOWED_ORIGINS": " https://a.example , https://b.example ,",
		"NETWATCHER_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7",
		"NETWATCHER_AUTH_RATE_LIMIT": "0",
		"NETWATCHER_ADMIN_EMAIL":     "root@example.com",
		"NETWATCHER_ADMIN_PASSWORD":  "root password",
		"NETWATCHER_LOG_FORMAT":      "JSON",
		"NETWATCHER_LOG_LEVEL":       "debug",
	}
	c, err := Load("serve", []string{"--listen", "127.0.0.1:1234", "--auth-rate-limit=5"}, env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:1234" || c.AuthRateLimit != 5 {
		t.Errorf("flags did not override the environment: listen %q, rate limit %d", c.Listen, c.AuthRateLimit)
	}
	if c.DataDir != "/var/lib/nw" || c.DatabaseURL != "postgres://nw@db/nw" || c.JWTTTL != 2*time.Hour ||
		c.AdminEmail != "root@example.com" || c.LogFormat != "json" || c.LogLevel != "debug" {
		t.Errorf("environment not applied: %+v", c)
	}
	if !slices.Equal(c.AllowedOrigins, []string{"https://a.example", "https://b.example"}) {
		t.Errorf("allowed origins %q", c.AllowedOrigins)
	}
	if want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}; !slices.Equal(c.TrustedProxies, want) {
		t.Errorf("trusted proxies %v, want %v", c.TrustedProxies, want)
	}
	// 0 is a valid rate limit (limiting off), not "unset".
	if c, err := Load("serve", nil, env(map[string]string{"NETWATCHER_AUTH_RATE_LIMIT": "0"})); err != nil || c.AuthRateLimit != 0 {
		t.Errorf("NETWATCHER_AUTH_RATE_LIMIT=0: %d, %v", c.AuthRateLimit, err)
	}
}

func TestInvalidValuesNameTheSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vars map[string]string
		want []string
	}{
		{map[string]string{"NETWATCHER_JWT_TTL": "0s"}, []string{"--jwt-ttl", "NETWATCHER_JWT_TTL"}},
		{map[string]string{"NETWATCHER_AUTH_RATE_LIMIT": "-5"}, []string{"NETWATCHER_AUTH_RATE_LIMIT", "-5"}},
		{map[string]string{"NETWATCHER_TRUSTED_PROXIES": "10.0.0.0/33"}, []string{"NETWATCHER_TRUSTED_PROXIES", "10.0.0.0/33"}},
		{map[string]string{"NETWATCHER_DATABASE_URL": "mysql://root:hunter2@db/nw"}, []string{"NETWATCHER_DATABASE_URL", "mysql"}},
		{map[string]string{"NETWATCHER_ADMIN_PASSWORD": "x"}, []string{"NETWATCHER_ADMIN_EMAIL"}},
	} {
		_, err := Load("serve", nil, env(tc.vars))
		if err == nil {
			t.Errorf("%v: accepted", tc.vars)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not mention %q", tc.vars, err, w)
			}
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks a password: %q", err)
		}
	}
}
