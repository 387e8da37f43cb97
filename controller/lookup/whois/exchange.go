package whois

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrServerFailed means a WHOIS server could not be reached or did not
// answer in time; the API answers 503 (504 when the error also matches
// context.DeadlineExceeded).
var ErrServerFailed = errors.New("WHOIS server failed")

// response is one server's answer.
type response struct {
	server    string // host:port asked
	text      string
	truncated bool
}

// ask performs one RFC 3912 exchange: connect, send the query line, read
// until the server closes, keeping at most c.MaxResponseBytes.
func (c *Client) ask(ctx context.Context, server, line string) (response, error) {
	conn, err := c.dial()(ctx, "tcp", server)
	if err != nil {
		return response{}, serverError(ctx, server, err)
	}
	defer conn.Close()
	// When ctx ends (its timeout or the caller's cancellation), blocked
	// reads and writes return at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := io.WriteString(conn, line+"\r\n"); err != nil {
		return response{}, serverError(ctx, server, err)
	}
	limit := c.maxResponseBytes()
	body, err := io.ReadAll(io.LimitReader(conn, limit+1))
	truncated := int64(len(body)) > limit
	if truncated {
		body = trimPartialRune(body[:limit])
	} else if err != nil {
		return response{}, serverError(ctx, server, err)
	}
	return response{server: server, text: printable(body), truncated: truncated}, nil
}

// serverError wraps a network failure; running out of time reads as
// context.DeadlineExceeded however the socket reported it.
func serverError(ctx context.Context, server string, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() != nil {
		err = cmp.Or(ctx.Err(), context.DeadlineExceeded)
	}
	return fmt.Errorf("%w: %s: %w", ErrServerFailed, displayServer(server), err)
}

// trimPartialRune drops a multi-byte character cut off by truncation, so
// the rest is not mistaken for Latin-1 below.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
		if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

// printable turns an answer into text safe to store, show and log.
// Registries answer in UTF-8 or Latin-1 (LACNIC, some ccTLDs): an answer
// that is not valid UTF-8 is read as Latin-1. Line ends become \n and other
// control characters (NUL, escape sequences of garbage answers) are dropped.
func printable(b []byte) string {
	latin1 := !utf8.Valid(b)
	var sb strings.Builder
	sb.Grow(len(b))
	for len(b) > 0 {
		r, size := rune(b[0]), 1
		if !latin1 {
			r, size = utf8.DecodeRune(b)
		}
		b = b[size:]
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
