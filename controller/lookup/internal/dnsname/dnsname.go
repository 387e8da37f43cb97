// Package dnsname holds the one rule WHOIS and the combined lookup share for
// reading a host name from user input, so a name is either a plain
// letters-digits-hyphens name or refused before it reaches a resolver or a
// WHOIS server.
package dnsname

import "strings"

// maxLength is the longest name DNS allows (RFC 1035), without the trailing dot.
const maxLength = 253

// Normalize accepts an ASCII host name of labels of 1–63 letters, digits or
// hyphens that neither start nor end with a hyphen, the last one not all
// digits (so 300.1.1.1 is not taken for a name). It returns the name in lower
// case without a trailing dot, and its number of labels. Internationalised
// names must be given in their xn-- form.
func Normalize(s string) (name string, labels int, ok bool) {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > maxLength {
		return "", 0, false
	}
	parts := strings.Split(s, ".")
	for _, label := range parts {
		if !validLabel(label) {
			return "", 0, false
		}
	}
	if strings.Trim(parts[len(parts)-1], "0123456789") == "" {
		return "", 0, false
	}
	return strings.ToLower(s), len(parts), true // only ASCII is left, so ToLower cannot change lengths
}

func validLabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
