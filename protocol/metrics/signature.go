package metrics

import (
	"fmt"
	"slices"
	"strings"
)

// Signature is an MTR path: for each TTL in order, the sorted set of IPs that
// answered there (several under ECMP load balancing; none when the hop stayed
// silent). route_change compares consecutive signatures of one series.
type Signature [][]string

// Text form: hops joined by '|', a hop's responders by ',', a silent hop '*'.
// IPs never contain these characters.
const (
	hopSeparator       = "|"
	responderSeparator = ","
	silentHop          = "*"
)

// String is the signature's compact text form, e.g. "10.0.0.1|*|10.1.0.1,10.1.0.2|8.8.8.8",
// for storage in a text column; ParseSignature reads it back.
func (s Signature) String() string {
	hops := make([]string, len(s))
	for i, responders := range s {
		hops[i] = silentHop
		if len(responders) > 0 {
			hops[i] = strings.Join(responders, responderSeparator)
		}
	}
	return strings.Join(hops, hopSeparator)
}

// ParseSignature reads the text form written by String; "" is the empty signature.
func ParseSignature(text string) (Signature, error) {
	if text == "" {
		return nil, nil
	}
	hops := strings.Split(text, hopSeparator)
	s := make(Signature, len(hops))
	for i, hop := range hops {
		if hop == silentHop {
			continue
		}
		responders := strings.Split(hop, responderSeparator)
		if slices.Contains(responders, "") {
			return nil, fmt.Errorf("path signature %q: hop %d has an empty responder", text, i+1)
		}
		s[i] = responders
	}
	return s, nil
}

// RouteChanged reports whether cur is a different route from prev: the paths
// differ in length, or at some TTL where both got answers no responder is
// shared. A silent hop matches anything, and ECMP sets only need to overlap
// because a few probes per run sample different members of the same set.
func RouteChanged(prev, cur Signature) bool {
	if len(prev) != len(cur) {
		return true
	}
	for i := range cur {
		if len(prev[i]) == 0 || len(cur[i]) == 0 {
			continue
		}
		if !slices.ContainsFunc(cur[i], func(ip string) bool { return slices.Contains(prev[i], ip) }) {
			return true
		}
	}
	return false
}
