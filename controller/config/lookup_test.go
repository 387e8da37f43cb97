package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLookupSettings(t *testing.T) {
	t.Parallel()
	c, err := Load("serve", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if l := c.Lookups; l.GeoIPCity != nil || l.GeoIPCountry != nil || l.GeoIPASN != nil || l.OUIPath != "" ||
		l.WhoisTimeout != 5*time.Second || l.RateLimit != 60 {
		t.Errorf("lookup defaults = %+v", l)
	}

	c, err = Load("serve", []string{"--lookup-rate-limit=7"}, env(map[string]string{
		"NETWATCHER_GEOIP_CITY":        "/geo/city-v4.mmdb, /geo/city-v6.mmdb",
		"NETWATCHER_GEOIP_COUNTRY":     "/geo/country.mmdb",
		"NETWATCHER_GEOIP_ASN":         "/geo/asn.mmdb",
		"NETWATCHER_OUI_PATH":          "none",
		"NETWATCHER_WHOIS_TIMEOUT":     "1500ms",
		"NETWATCHER_LOOKUP_RATE_LIMIT": "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Lookups
	if !slices.Equal(l.GeoIPCity, []string{"/geo/city-v4.mmdb", "/geo/city-v6.mmdb"}) ||
		!slices.Equal(l.GeoIPCountry, []string{"/geo/country.mmdb"}) || !slices.Equal(l.GeoIPASN, []string{"/geo/asn.mmdb"}) ||
		l.OUIPath != "none" || l.WhoisTimeout != 1500*time.Millisecond || l.RateLimit != 7 {
		t.Errorf("lookup settings = %+v", l)
	}

	for name, value := range map[string]string{
		"NETWATCHER_WHOIS_TIMEOUT":     "0s",
		"NETWATCHER_LOOKUP_RATE_LIMIT": "-1",
	} {
		_, err := Load("serve", nil, env(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: error %v, want one naming the variable", name, value, err)
		}
	}
}
