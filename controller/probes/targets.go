package probes

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// Literal target validation and normalisation, one function per target
// form. Each returns the canonical spelling so duplicates are detected
// however the operator typed them.

const maxHostLen = 253

// normalizeHost accepts an IP address or a DNS host name.
func normalizeHost(s string) (string, error) {
	s = strings.TrimSpace(s)
	if addr, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return addr.Unmap().String(), nil
	}
	name, ok := hostName(s)
	if !ok {
		return "", apperr.Invalidf("target %q is not an IP address or host name", s)
	}
	return name, nil
}

// hostName checks RFC 1123 host-name syntax (underscores allowed, for
// service records) and returns it lower-cased without a trailing dot.
func hostName(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if s == "" || len(s) > maxHostLen {
		return "", false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", false
			}
		}
	}
	return s, true
}

// normalizeDNSName accepts a name to query.
func normalizeDNSName(s string) (string, error) {
	name, ok := hostName(strings.TrimSpace(s))
	if !ok {
		return "", apperr.Invalidf("target %q is not a DNS name", s)
	}
	return name, nil
}

// hostPort returns a normaliser for host:port targets; defaultPort is used
// when the port is missing (0: the port is required).
func hostPort(defaultPort int) func(string) (string, error) {
	return func(s string) (string, error) {
		s = strings.TrimSpace(s)
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			if defaultPort == 0 {
				return "", apperr.Invalidf("target %q must be host:port", s)
			}
			host, port = s, strconv.Itoa(defaultPort)
		}
		h, err := normalizeHost(host)
		if err != nil {
			return "", err
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", apperr.Invalidf("target %q has an invalid port (1-65535)", s)
		}
		return net.JoinHostPort(h, strconv.Itoa(n)), nil
	}
}

// normalizeURL accepts an http(s) URL; a bare host gets https://.
func normalizeURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", apperr.Invalidf("target %q is not an http(s) URL", s)
	}
	host, err := normalizeHost(u.Hostname())
	if err != nil {
		return "", err
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", apperr.Invalidf("target %q has an invalid port (1-65535)", s)
		}
		host = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), host
	return u.String(), nil
}

// normalizeToken accepts an opaque identifier such as a speed-test server id.
func normalizeToken(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 128 || strings.ContainsAny(s, " \t\r\n") {
		return "", apperr.Invalidf("target %q must be a non-empty identifier without spaces", s)
	}
	return s, nil
}
