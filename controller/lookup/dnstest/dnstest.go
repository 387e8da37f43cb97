// Package dnstest runs a DNS server on 127.0.0.1 for tests and hands out
// net.Resolvers that ask it, so reverse DNS and host-name resolution run
// through Go's real resolver without reaching the machine's name servers.
package dnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Zone is what the server knows. Names are fully qualified or not; case
// does not matter.
type Zone struct {
	// PTR names addresses (reverse DNS).
	PTR map[netip.Addr]string
	// Hosts gives names their A and AAAA records.
	Hosts map[string][]netip.Addr
	// Unanswered makes the server swallow every query, for timeout tests.
	Unanswered bool
}

// Server answers from a Zone until the test ends.
type Server struct {
	addr    string
	zone    Zone
	queries atomic.Int64
}

// Start listens on a random loopback UDP port.
func Start(t testing.TB, zone Zone) *Server {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{addr: conn.LocalAddr().String(), zone: zone}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		s.serve(conn)
	}()
	return s
}

// Resolver asks only this server. Go's resolver still reads /etc/hosts
// first, so "localhost" keeps resolving as on any machine.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.addr)
	}}
}

// Queries counts the questions received so far, answered or not.
func (s *Server) Queries() int { return int(s.queries.Load()) }

// Unreachable is a resolver whose every query fails at once, for tests that
// must never depend on the machine's name servers; /etc/hosts still works.
func Unreachable() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("dnstest: no DNS server in this test")
	}}
}

func (s *Server) serve(conn net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			return // closed at cleanup
		}
		s.queries.Add(1)
		if s.zone.Unanswered {
			continue
		}
		if reply, ok := s.answer(buf[:n]); ok {
			conn.WriteTo(reply, from)
		}
	}
}

// answer builds the reply to one query: the records of its first question,
// or NXDOMAIN when the name is unknown.
func (s *Server) answer(query []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	hdr, err := p.Start(query)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	found, records := s.lookup(q)
	h := dnsmessage.Header{ID: hdr.ID, Response: true, Authoritative: true, RecursionDesired: hdr.RecursionDesired}
	if !found {
		h.RCode = dnsmessage.RCodeNameError
	}
	reply := dnsmessage.NewBuilder(nil, h)
	reply.EnableCompression()
	if err := reply.StartQuestions(); err != nil {
		return nil, false
	}
	if err := reply.Question(q); err != nil {
		return nil, false
	}
	if err := reply.StartAnswers(); err != nil {
		return nil, false
	}
	rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	for _, r := range records {
		if err := r(&reply, rh); err != nil {
			return nil, false
		}
	}
	out, err := reply.Finish()
	return out, err == nil
}

type record func(b *dnsmessage.Builder, rh dnsmessage.ResourceHeader) error

// lookup finds the records answering q and whether its name exists at all
// (a known host without IPv6 gets an empty answer, not NXDOMAIN).
func (s *Server) lookup(q dnsmessage.Question) (bool, []record) {
	name := strings.ToLower(strings.TrimSuffix(q.Name.String(), "."))
	if q.Type == dnsmessage.TypePTR {
		for addr, host := range s.zone.PTR {
			if reverseName(addr) == name {
				target := dnsmessage.MustNewName(strings.TrimSuffix(host, ".") + ".")
				return true, []record{func(b *dnsmessage.Builder, rh dnsmessage.ResourceHeader) error {
					return b.PTRResource(rh, dnsmessage.PTRResource{PTR: target})
				}}
			}
		}
		return false, nil
	}
	for host, addrs := range s.zone.Hosts {
		if !strings.EqualFold(strings.TrimSuffix(host, "."), name) {
			continue
		}
		var records []record
		for _, a := range addrs {
			switch {
			case q.Type == dnsmessage.TypeA && a.Is4():
				records = append(records, func(b *dnsmessage.Builder, rh dnsmessage.ResourceHeader) error {
					return b.AResource(rh, dnsmessage.AResource{A: a.As4()})
				})
			case q.Type == dnsmessage.TypeAAAA && a.Is6():
				records = append(records, func(b *dnsmessage.Builder, rh dnsmessage.ResourceHeader) error {
					return b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: a.As16()})
				})
			}
		}
		return true, records
	}
	return false, nil
}

// reverseName is addr's name under in-addr.arpa or ip6.arpa, without the
// trailing dot.
func reverseName(addr netip.Addr) string {
	var labels []string
	if addr.Is4() {
		b := addr.As4()
		for i := len(b) - 1; i >= 0; i-- {
			labels = append(labels, strconv.Itoa(int(b[i])))
		}
		return strings.Join(labels, ".") + ".in-addr.arpa"
	}
	const hex = "0123456789abcdef"
	b := addr.As16()
	for i := len(b) - 1; i >= 0; i-- {
		labels = append(labels, string(hex[b[i]&0xf]), string(hex[b[i]>>4]))
	}
	return strings.Join(labels, ".") + ".ip6.arpa"
}
