// Package webhook delivers alert notifications over HTTP: one signed POST
// per attempt, redirects never followed, and a dialer that refuses denied
// destinations after DNS resolution, so a rule cannot aim the controller at
// its own loopback services, even through a name that resolves there.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// SignatureHeader carries the body's HMAC when the rule has a secret.
const SignatureHeader = "X-NetWatcher-Signature"

// Sign returns the signature header value: sha256=<hex HMAC-SHA256(secret, body)>.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Client posts webhook bodies.
type Client struct {
	http *http.Client
}

// New returns a client that refuses the deny prefixes (nil: DefaultDeny,
// empty: nothing) and gives each attempt at most timeout.
func New(deny []netip.Prefix, timeout time.Duration) *Client {
	if deny == nil {
		deny = DefaultDeny
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: denyList(deny).control}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would make the deny check see the proxy's address
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Client{http: &http.Client{
		Transport: transport,
		Timeout:   timeout,
		// A redirect could lead anywhere, including to a denied address the
		// operator never configured; the 3xx is reported instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Result is the outcome of one attempt.
type Result struct {
	StatusCode int // 0 when no response arrived
	Duration   time.Duration
	Err        error // nil when the receiver answered 2xx
	// Retry says whether a later attempt may succeed: transport failures,
	// 408, 425, 429 and 5xx; not denied destinations, redirects or other 4xx.
	Retry bool
}

// Post sends body to url with the given signature header value ("" for none).
func (c *Client) Post(ctx context.Context, url string, body []byte, signature string) Result {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("invalid webhook request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "NetWatcher-Webhook/1")
	if signature != "" {
		req.Header.Set(SignatureHeader, signature)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var denied *DeniedError
		if errors.As(err, &denied) {
			return Result{Duration: time.Since(start), Err: denied}
		}
		return Result{Duration: time.Since(start), Err: err, Retry: true}
	}
	// Drain a little so the connection can be reused; the body is not needed.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	res := Result{StatusCode: resp.StatusCode, Duration: time.Since(start)}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
	case code >= 300 && code < 400:
		res.Err = fmt.Errorf("redirect (%d to %q) not followed", code, resp.Header.Get("Location"))
	default:
		res.Err = fmt.Errorf("receiver answered %d", code)
		res.Retry = code == http.StatusRequestTimeout || code == http.StatusTooEarly ||
			code == http.StatusTooManyRequests || code >= 500
	}
	return res
}

// CloseIdleConnections releases pooled connections (at shutdown).
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
