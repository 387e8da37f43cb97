// Package whois answers WHOIS queries for IP addresses and domain names over
// RFC 3912 (TCP port 43) without any external program: it validates the
// query, answers special-purpose addresses itself, asks the root server
// (IANA) and follows its referrals to the registry or registrar holding the
// record, and parses the answer into common fields.
package whois

import (
	"context"
	"net"
	"strings"
	"time"
)

// Defaults for the zero values of Client's fields.
const (
	DefaultRootServer       = "whois.iana.org:43"
	DefaultTimeout          = 5 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	DefaultMaxReferrals     = 3 // root → TLD registry → registrar needs two
	DefaultCacheTTL         = 24 * time.Hour
)

// DialFunc opens connections; net.Dialer.DialContext is one.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Client performs WHOIS lookups. The zero value works, with the defaults
// above; tests point RootServer and Dial at servers on 127.0.0.1. It is safe
// for concurrent use.
type Client struct {
	// RootServer is asked first, as host:port.
	RootServer string
	// Dial opens every connection, to the root and to referred servers.
	Dial DialFunc
	// Timeout bounds a whole lookup, referrals included.
	Timeout time.Duration
	// MaxResponseBytes caps each answer; longer ones are cut and marked
	// Truncated, and their referrals are not followed.
	MaxResponseBytes int64
	// MaxReferrals bounds how many referrals are followed after the root.
	MaxReferrals int
	// Cache, when set, serves repeated queries for CacheTTL.
	Cache    Cache
	CacheTTL time.Duration
}

// Lookup validates query and answers it. Invalid input gives
// ErrInvalidQuery before anything else happens; server failures give errors
// matching ErrServerFailed.
func (c *Client) Lookup(ctx context.Context, query string) (Result, error) {
	q, err := ParseQuery(query)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	if q.isIP() {
		if res, ok := reservedAnswer(q.addr); ok {
			res.LookupTimeMS = time.Since(start).Milliseconds()
			return res, nil
		}
	}
	if c.Cache != nil {
		if res, ok, err := c.Cache.Get(ctx, q.String()); err == nil && ok {
			res.Cached = true
			res.LookupTimeMS = time.Since(start).Milliseconds()
			return res, nil
		}
	}

	lookupCtx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	resp, err := c.follow(lookupCtx, q)
	if err != nil {
		return Result{}, err
	}
	res := Result{
		Query:        q.String(),
		RawOutput:    resp.text,
		Parsed:       parse(resp.text),
		Server:       displayServer(resp.server),
		Truncated:    resp.truncated,
		LookupTimeMS: time.Since(start).Milliseconds(),
	}
	if c.Cache != nil {
		stored := res
		stored.CacheTime = time.Now().UTC().Truncate(time.Second)
		_ = c.Cache.Put(ctx, q.String(), stored, c.cacheTTL()) // best effort, see Cache
	}
	return res, nil
}

// follow asks the root server, then each server the previous answer refers
// to, and returns the last answer. It stops at an answer without a usable
// referral, at a server already asked (loops), after MaxReferrals, and at a
// truncated answer.
func (c *Client) follow(ctx context.Context, q Query) (response, error) {
	server := strings.ToLower(c.rootServer())
	asked := map[string]bool{}
	for hop := 0; ; hop++ {
		asked[server] = true
		resp, err := c.ask(ctx, server, queryLine(server, q))
		if err != nil {
			return response{}, err
		}
		next := referral(newAnswer(resp.text))
		if next == "" || asked[next] || hop >= c.maxReferrals() || resp.truncated {
			return resp, nil
		}
		server = next
	}
}

// queryLine is what server is sent. ARIN answers a bare IP with a summary of
// the covering networks; "n + <ip>" asks for network records in full.
func queryLine(server string, q Query) string {
	if q.isIP() && displayServer(server) == "whois.arin.net" {
		return "n + " + q.String()
	}
	return q.String()
}

// displayServer drops the standard port: "whois.arin.net:43" → "whois.arin.net".
func displayServer(server string) string {
	if host, port, err := net.SplitHostPort(server); err == nil && port == "43" {
		return host
	}
	return server
}

func (c *Client) rootServer() string {
	if c.RootServer == "" {
		return DefaultRootServer
	}
	return c.RootServer
}

func (c *Client) dial() DialFunc {
	if c.Dial == nil {
		return (&net.Dialer{}).DialContext
	}
	return c.Dial
}

func (c *Client) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Client) maxResponseBytes() int64 {
	if c.MaxResponseBytes <= 0 {
		return DefaultMaxResponseBytes
	}
	return c.MaxResponseBytes
}

func (c *Client) maxReferrals() int {
	if c.MaxReferrals <= 0 {
		return DefaultMaxReferrals
	}
	return c.MaxReferrals
}

func (c *Client) cacheTTL() time.Duration {
	if c.CacheTTL <= 0 {
		return DefaultCacheTTL
	}
	return c.CacheTTL
}
