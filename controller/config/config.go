// Package config reads the controller's settings from flags with
// environment-variable fallbacks. Every setting has a working default, so
// `netwatcher serve` runs with nothing set; docs/configuration.md lists them.
package config

import (
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/oui"
)

// Config is the controller's configuration.
type Config struct {
	Listen      string
	DataDir     string
	DatabaseURL string
	// ProbeDataURL selects the probe-data store: empty for SQLite in the
	// data dir, sqlite:<path>, postgres://… or clickhouse://host:9000/db.
	ProbeDataURL string
	// Retention is how long probe data is kept.
	Retention time.Duration

	JWTSecret string
	JWTTTL    time.Duration

	AllowedOrigins []string
	TrustedProxies []netip.Prefix

	// AuthRateLimit is failed authentication attempts per minute per client
	// IP (and per account/agent); 0 disables every auth limiter.
	AuthRateLimit int

	// Quotas; 0 means unlimited.
	MaxAgentsPerWorkspace int
	MaxProbesPerAgent     int

	// WebhookDeny lists the CIDRs alert webhooks may not reach: nil means
	// the built-in list (loopback, link-local, unspecified), empty means none.
	WebhookDeny []netip.Prefix
	// AlertTimings shorten alerting's clocks in tests (no flags).
	AlertTimings AlertTimings
	// PanelTuning shortens the panel socket's clocks in tests (no flags).
	PanelTuning PanelTuning
	// AgentTuning shrinks the agent socket's queue and clocks in tests (no flags).
	AgentTuning AgentTuning
	// Lookups locates GeoIP and OUI data and bounds WHOIS and bulk lookups.
	Lookups Lookups

	AdminEmail    string
	AdminPassword string

	LogFormat string // "text" or "json"
	LogLevel  string // debug, info, warn, error
}

// setting binds one flag to its environment variable.
type setting struct {
	flag, env, usage string
	def              string
	apply            func(c *Config, v string) error
}

func settings() []setting {
	return []setting{
		{"listen", "NETWATCHER_LISTEN", "HTTP listen address", "127.0.0.1:8080",
			func(c *Config, v string) error { c.Listen = v; return nil }},
		{"data-dir", "NETWATCHER_DATA_DIR", "directory for SQLite files and the generated JWT key", "./data",
			func(c *Config, v string) error { c.DataDir = v; return nil }},
		{"database-url", "NETWATCHER_DATABASE_URL", "metadata database: empty for SQLite in the data dir, or postgres://…", "",
			func(c *Config, v string) error { return parseDatabaseURL(&c.DatabaseURL, v) }},
		{"probedata-url", "NETWATCHER_PROBEDATA_URL", "probe-data store: empty for SQLite in the data dir, postgres://… or clickhouse://host:9000/db", "",
			func(c *Config, v string) error { c.ProbeDataURL = v; return nil }},
		{"retention-days", "NETWATCHER_RETENTION_DAYS", "days of probe data to keep", "90",
			func(c *Config, v string) error {
				var days int
				if err := parseNonNegativeInt(&days, v); err != nil || days < 1 {
					return fmt.Errorf("%q is not a positive number of days", v)
				}
				c.Retention = time.Duration(days) * 24 * time.Hour
				return nil
			}},
		{"jwt-secret", "NETWATCHER_JWT_SECRET", "JWT signing key (generated and stored in the data dir when empty)", "",
			func(c *Config, v string) error { c.JWTSecret = v; return nil }},
		{"jwt-ttl", "NETWATCHER_JWT_TTL", "lifetime of login tokens", "24h",
			func(c *Config, v string) error { return parsePositiveDuration(&c.JWTTTL, v) }},
		{"allowed-origins", "NETWATCHER_ALLOWED_ORIGINS", "comma-separated browser origins allowed for CORS and WebSockets (empty: same origin only)", "",
			func(c *Config, v string) error { c.AllowedOrigins = splitList(v); return nil }},
		{"trusted-proxies", "NETWATCHER_TRUSTED_PROXIES", "comma-separated CIDRs whose X-Forwarded-For is believed", "",
			func(c *Config, v string) (err error) { c.TrustedProxies, err = parsePrefixes(v); return err }},
		{"auth-rate-limit", "NETWATCHER_AUTH_RATE_LIMIT", "failed auth attempts per minute per IP; 0 disables auth rate limiting", "10",
			func(c *Config, v string) error { return parseNonNegativeInt(&c.AuthRateLimit, v) }},
		{"max-agents-per-workspace", "NETWATCHER_MAX_AGENTS_PER_WORKSPACE", "agent quota per workspace; 0 = unlimited", "0",
			func(c *Config, v string) error { return parseNonNegativeInt(&c.MaxAgentsPerWorkspace, v) }},
		{"max-probes-per-agent", "NETWATCHER_MAX_PROBES_PER_AGENT", "probe quota per agent; 0 = unlimited", "0",
			func(c *Config, v string) error { return parseNonNegativeInt(&c.MaxProbesPerAgent, v) }},
		{"webhook-deny", "NETWATCHER_WEBHOOK_DENY", "comma-separated CIDRs alert webhooks may not reach, checked after DNS resolution (empty: loopback, link-local, unspecified; none: allow all)", "",
			func(c *Config, v string) (err error) { c.WebhookDeny, err = parseDenyList(v); return err }},
		{"geoip-city", "NETWATCHER_GEOIP_CITY", "comma-separated GeoIP City .mmdb files (empty: found in <data-dir>/geoip)", "",
			func(c *Config, v string) error { c.Lookups.GeoIPCity = splitList(v); return nil }},
		{"geoip-country", "NETWATCHER_GEOIP_COUNTRY", "comma-separated GeoIP Country .mmdb files (empty: found in <data-dir>/geoip)", "",
			func(c *Config, v string) error { c.Lookups.GeoIPCountry = splitList(v); return nil }},
		{"geoip-asn", "NETWATCHER_GEOIP_ASN", "comma-separated GeoIP ASN .mmdb files (empty: found in <data-dir>/geoip)", "",
			func(c *Config, v string) error { c.Lookups.GeoIPASN = splitList(v); return nil }},
		{"oui-path", "NETWATCHER_OUI_PATH", "IEEE OUI registry, oui.csv or oui.txt (empty: " + oui.DefaultPath + " when present; none: off)", "",
			func(c *Config, v string) error { c.Lookups.OUIPath = v; return nil }},
		{"whois-timeout", "NETWATCHER_WHOIS_TIMEOUT", "time limit of one WHOIS lookup, referrals included", "5s",
			func(c *Config, v string) error { return parsePositiveDuration(&c.Lookups.WhoisTimeout, v) }},
		{"lookup-rate-limit", "NETWATCHER_LOOKUP_RATE_LIMIT", "WHOIS, combined and bulk lookups per minute per user; 0 disables", "60",
			func(c *Config, v string) error { return parseNonNegativeInt(&c.Lookups.RateLimit, v) }},
		{"admin-email", "NETWATCHER_ADMIN_EMAIL", "create this user at start if missing (with --admin-password)", "",
			func(c *Config, v string) error { c.AdminEmail = v; return nil }},
		{"admin-password", "NETWATCHER_ADMIN_PASSWORD", "password for --admin-email", "",
			func(c *Config, v string) error { c.AdminPassword = v; return nil }},
		{"log-format", "NETWATCHER_LOG_FORMAT", "log format: text or json", "text",
			func(c *Config, v string) error { return oneOf(&c.LogFormat, v, "text", "json") }},
		{"log-level", "NETWATCHER_LOG_LEVEL", "log level: debug, info, warn or error", "info",
			func(c *Config, v string) error { return oneOf(&c.LogLevel, v, "debug", "info", "warn", "error") }},
	}
}

// Register adds every setting to fs as a flag whose default is the
// environment variable's value when set. Call Resolve after fs.Parse.
func Register(fs *flag.FlagSet, getenv func(string) string) *Values {
	vals := &Values{raw: map[string]*string{}}
	for _, s := range settings() {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		vals.raw[s.flag] = fs.String(s.flag, def, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	return vals
}

// Values holds the raw flag values until Resolve validates them.
type Values struct {
	raw map[string]*string
}

// Resolve validates the raw values into a Config. Errors name the flag and
// its environment variable so the operator knows what to fix.
func (v *Values) Resolve() (Config, error) {
	var c Config
	for _, s := range settings() {
		if err := s.apply(&c, strings.TrimSpace(*v.raw[s.flag])); err != nil {
			return Config{}, fmt.Errorf("invalid --%s / %s: %w", s.flag, s.env, err)
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return Config{}, fmt.Errorf("NETWATCHER_ADMIN_EMAIL and NETWATCHER_ADMIN_PASSWORD must be set together")
	}
	return c, nil
}

// Load parses args (flags) with environment fallbacks into a Config.
func Load(name string, args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	vals := Register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return vals.Resolve()
}

func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range splitList(v) {
		if !strings.Contains(item, "/") {
			addr, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR", item)
			}
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR (e.g. 10.0.0.0/8)", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseDatabaseURL accepts the forms store.Open understands, so a typo is
// reported with the variable's name before anything is opened. The value
// is not echoed: it may hold a password.
func parseDatabaseURL(dst *string, v string) error {
	for _, prefix := range []string{"postgres://", "postgresql://", "sqlite:"} {
		if strings.HasPrefix(v, prefix) {
			*dst = v
			return nil
		}
	}
	if v != "" {
		scheme, _, _ := strings.Cut(v, ":")
		return fmt.Errorf("unsupported database %q: use postgres://user:pass@host:5432/db or sqlite:<path>, or leave it empty for SQLite in the data directory", scheme)
	}
	*dst = v
	return nil
}

func parsePositiveDuration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration (e.g. 24h, 30m)", v)
	}
	*dst = d
	return nil
}

func parseNonNegativeInt(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a non-negative integer", v)
	}
	*dst = n
	return nil
}

func oneOf(dst *string, v string, allowed ...string) error {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			*dst = a
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}
