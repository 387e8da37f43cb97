package whois

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseRegistryFormats(t *testing.T) {
	t.Parallel()
	tests := map[string]Parsed{
		// ARIN lists the covering network first; the address's own network
		// (the last one) and its organisation are what count.
		"arin.txt": {
			Netname: "NWC-45-40-16", Netrange: "45.40.16.0 - 45.40.31.255", Organization: "Northwind Cloud Inc.",
			Country: "US", Created: "2021-06-14", Updated: "2023-02-01", AbuseEmail: "abuse@northwind-cloud.example",
		},
		"arin-referral.txt": {
			Netname: "RIPE-185", Netrange: "185.0.0.0 - 185.255.255.255", Organization: "RIPE Network Coordination Centre",
			Country: "NL", Created: "2011-01-04", Updated: "2011-02-08",
		},
		"ripe.txt": {
			Netname: "FJORDNET-OSLO-1", Netrange: "185.199.108.0 - 185.199.111.255", Organization: "Fjordnet AS",
			Country: "NO", Created: "2016-03-02T09:15:40Z", Updated: "2022-11-30T14:02:11Z", AbuseEmail: "abuse@fjordnet.example",
		},
		"apnic.txt": {
			Netname: "KIWI-ISP-NZ", Netrange: "2001:df0:2e8::/48", Organization: "Kiwi Internet Services Ltd",
			Country: "NZ", Updated: "2021-08-19T03:22:51Z", AbuseEmail: "noc@kiwi-isp.example",
		},
		// LACNIC has no netname; its abuse contact is a handle resolved to
		// the contact block's e-mail, not the first e-mail in the answer.
		"lacnic.txt": {
			Netrange: "200.7.84.0/22", Organization: "Cooperativa Andina de Telecomunicaciones",
			Country: "CL", Created: "2009-03-15", Updated: "2021-07-22", AbuseEmail: "abuse@cate.example",
		},
		"afrinic.txt": {
			Netname: "SAVANNA-NET-KE", Netrange: "196.216.0.0 - 196.216.3.255", Organization: "Savanna Networks Ltd",
			Country: "KE", Created: "2017-10-09T12:44:03Z", Updated: "2020-01-27T08:05:50Z", AbuseEmail: "abuse@savanna.example",
		},
		"iana-ip.txt": {Netrange: "45.0.0.0 - 45.255.255.255", Organization: "ARIN", Updated: "1995-01"},
		"verisign.txt": {
			Registrar: "Example Registrar, Inc.", Created: "2001-01-19T16:12:05Z", Updated: "2023-08-14T07:01:38Z",
			AbuseEmail: "abuse@registrar.example",
		},
		// Registrar times carry zones; they are normalised to UTC.
		"registrar.txt": {
			Organization: "Northwind Cloud Inc.", Country: "US", Registrar: "Example Registrar, Inc.",
			Created: "2001-01-19T16:12:05Z", Updated: "2023-08-14T07:01:38Z", AbuseEmail: "abuse@registrar.example",
		},
		"nominet.txt": {Registrar: "Example Registrar Ltd [Tag = EXAMPLE]", Created: "2001-06-11", Updated: "2024-05-10"},
	}
	for name, want := range tests {
		text, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := parse(string(text)); got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestParseIgnoresProse(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"", "\n\n", "no fields here\n", "% comment: only\n# netname: COMMENTED\n", ">>> Last update: 2024 <<<\n", "12:00:00 made at\n"} {
		if got := parse(text); got != (Parsed{}) {
			t.Errorf("parse(%q) = %+v, want nothing", text, got)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2023-12-28T17:34:52Z":         "2023-12-28T17:34:52Z",
		"2023-12-28T17:34:52.5Z":       "2023-12-28T17:34:52Z",
		"2023-12-28T10:34:52-07:00":    "2023-12-28T17:34:52Z",
		"2023-12-28T10:34:52-0700":     "2023-12-28T17:34:52Z",
		"2023-12-28 17:34:52":          "2023-12-28T17:34:52Z",
		"2014-03-14":                   "2014-03-14",
		"20170203":                     "2017-02-03",
		"11-Jun-2001":                  "2001-06-11",
		"1992-12":                      "1992-12",
		"hostmaster@ripe.net 20030101": "hostmaster@ripe.net 20030101",
	} {
		if got := normalizeDate(in); got != want {
			t.Errorf("normalizeDate(%q) = %q, want %q", in, got, want)
		}
	}
}
