package whois

import (
	"net"
	"strings"
)

// referralKeys name the server holding the fuller answer: IANA's refer and
// whois, ARIN's ReferralServer, and the registrar server that gTLD
// registries (Registrar WHOIS Server) and older registries (Whois Server)
// give. "% This query was served by …" lines only name the answering
// service, so they are not referrals.
var referralKeys = []string{"refer", "whois", "referralserver", "registrar whois server", "whois server"}

// referral returns the server an answer points to as host:43, or "" when it
// points nowhere usable.
func referral(a answer) string {
	for _, b := range a.all {
		for _, f := range b {
			for _, k := range referralKeys {
				if f.key == k {
					if server, ok := referralServer(f.value); ok {
						return server
					}
				}
			}
		}
	}
	return ""
}

// referralServer accepts "host", "host:43", "whois://host[:43][/]". Only
// host names on port 43 are followed: rwhois:// and other ports speak other
// protocols, and refusing IP literals and ports keeps an answer from
// steering the controller at arbitrary internal services.
func referralServer(value string) (string, bool) {
	v := value
	if scheme, rest, ok := strings.Cut(v, "://"); ok {
		if !strings.EqualFold(scheme, "whois") {
			return "", false
		}
		v = strings.TrimSuffix(rest, "/")
	}
	host := v
	if h, port, err := net.SplitHostPort(v); err == nil {
		if port != "43" {
			return "", false
		}
		host = h
	}
	name, ok := normalizeDomain(host)
	if !ok {
		return "", false
	}
	return net.JoinHostPort(name, "43"), true
}
