package whois

import "testing"

func TestReferral(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"refer:        whois.arin.net\n":                              "whois.arin.net:43",
		"whois:        whois.verisign-grs.com\n":                      "whois.verisign-grs.com:43",
		"ReferralServer:  whois://whois.ripe.net\n":                   "whois.ripe.net:43",
		"ReferralServer:  WHOIS://Whois.RIPE.net:43/\n":               "whois.ripe.net:43",
		"   Registrar WHOIS Server: whois.registrar.example\n":        "whois.registrar.example:43",
		"Whois Server: whois.old-registry.example\n":                  "whois.old-registry.example:43",
		"refer: whois.lacnic.net:43\n":                                "whois.lacnic.net:43",
		"Registrar WHOIS Server: \nRegistrar URL: http://x.example\n": "",
		"ReferralServer:  rwhois://rwhois.example.net:4321\n":         "",
		"ReferralServer:  whois://whois.example.net:4343\n":           "",
		"refer: 127.0.0.1\n":                                          "",
		"ReferralServer:  whois://10.0.0.1:43\n":                      "",
		"refer: [::1]:43\n":                                           "",
		"Registrar WHOIS Server: https://whois.registrar.example\n":   "",
		"refer: whois.example.net -h evil\n":                          "",
		"% refer: whois.commented.example\n":                          "",
		"ResourceLink:  whois://whois.ripe.net\n":                     "",
		"netname: EXAMPLE\n":                                          "",
	}
	for text, want := range tests {
		if got := referral(newAnswer(text)); got != want {
			t.Errorf("referral(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestReferralSamples(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"iana-ip.txt":       "whois.arin.net:43",
		"iana-domain.txt":   "whois.verisign-grs.com:43",
		"arin-referral.txt": "whois.ripe.net:43",
		"verisign.txt":      "whois.registrar.example:43",
		"arin.txt":          "",
		"ripe.txt":          "",
	} {
		if got := referral(newAnswer(readTestdata(t, name))); got != want {
			t.Errorf("%s refers to %q, want %q", name, got, want)
		}
	}
}
