// Package whoistest runs WHOIS servers on 127.0.0.1 for tests. A Network
// stands in for DNS and the Internet: its Dial maps the server names a
// client dials (whois.iana.org:43, referrals) to those loopback servers and
// records every dial, so a whole referral chain runs locally and tests can
// assert that nothing was dialled at all.
package whoistest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Network maps server names to loopback WHOIS servers.
type Network struct {
	t     testing.TB
	mu    sync.Mutex
	addrs map[string]string // dialled host:port → loopback address
	dials []string
}

// NewNetwork returns an empty network; servers stop when the test ends.
func NewNetwork(t testing.TB) *Network {
	return &Network{t: t, addrs: map[string]string{}}
}

// Server is one WHOIS server on loopback.
type Server struct {
	mu      sync.Mutex
	queries []string
}

// Received lists the query lines the server got, without line ends.
func (s *Server) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// Serve starts a server reachable as name (host:port) through Dial. answer
// gets the query line and writes the response; the connection closes when
// it returns.
func (n *Network) Serve(name string, answer func(query string, conn net.Conn)) *Server {
	n.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		n.t.Fatal(err)
	}
	s := &Server{}
	var wg sync.WaitGroup
	n.t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				line, err := bufio.NewReader(conn).ReadString('\n')
				if err != nil {
					return
				}
				query := strings.TrimRight(line, "\r\n")
				s.mu.Lock()
				s.queries = append(s.queries, query)
				s.mu.Unlock()
				answer(query, conn)
			})
		}
	})
	n.mu.Lock()
	n.addrs[name] = ln.Addr().String()
	n.mu.Unlock()
	return s
}

// Dial has the shape of whois.DialFunc. Names without a server fail as an
// unknown host would.
func (n *Network) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.dials = append(n.dials, addr)
	loopback, ok := n.addrs[addr]
	n.mu.Unlock()
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, loopback)
}

// Dialed lists every address Dial was asked for, in order.
func (n *Network) Dialed() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.dials...)
}

// AnswerWith answers every query with a fixed response.
func AnswerWith(response string) func(string, net.Conn) {
	return func(_ string, conn net.Conn) { fmt.Fprint(conn, response) }
}

// NeverAnswer holds the connection open until the client gives up.
func NeverAnswer(_ string, conn net.Conn) { io.Copy(io.Discard, conn) }
