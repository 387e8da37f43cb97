package whois

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netwatcher/netwatcher/controller/lookup/whois/whoistest"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

func TestLookupFollowsIANAToARIN(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	iana := n.Serve("whois.iana.org:43", whoistest.AnswerWith(readTestdata(t, "iana-ip.txt")))
	arin := n.Serve("whois.arin.net:43", whoistest.AnswerWith(strings.ReplaceAll(readTestdata(t, "arin.txt"), "\n", "\r\n")))
	c := &Client{Dial: n.Dial} // default root server

	res, err := c.Lookup(context.Background(), "45.40.16.9")
	if err != nil {
		t.Fatal(err)
	}
	if !equal(iana.Received(), []string{"45.40.16.9"}) || !equal(arin.Received(), []string{"n + 45.40.16.9"}) {
		t.Errorf("queries: iana %q, arin %q", iana.Received(), arin.Received())
	}
	if res.Server != "whois.arin.net" || res.Query != "45.40.16.9" || res.Cached || res.Truncated {
		t.Errorf("result header %+v", res)
	}
	if res.RawOutput != readTestdata(t, "arin.txt") {
		t.Error("raw output is not the ARIN answer with line ends normalised")
	}
	if res.Parsed.Netname != "NWC-45-40-16" || res.Parsed.Organization != "Northwind Cloud Inc." {
		t.Errorf("parsed %+v", res.Parsed)
	}
	var shape map[string]any
	if err := json.Unmarshal(must(json.Marshal(res)), &shape); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"query", "raw_output", "parsed", "lookup_time_ms", "server"} {
		if _, ok := shape[key]; !ok {
			t.Errorf("JSON lacks %q: %v", key, shape)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestLookupFollowsARINReferralToRIPE(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("refer: whois.arin.net\n"))
	n.Serve("whois.arin.net:43", whoistest.AnswerWith(readTestdata(t, "arin-referral.txt")))
	ripe := n.Serve("whois.ripe.net:43", whoistest.AnswerWith(readTestdata(t, "ripe.txt")))

	res, err := (&Client{Dial: n.Dial}).Lookup(context.Background(), "185.199.110.7")
	if err != nil {
		t.Fatal(err)
	}
	if !equal(ripe.Received(), []string{"185.199.110.7"}) {
		t.Errorf("RIPE got %q, want the plain address", ripe.Received())
	}
	if res.Server != "whois.ripe.net" || res.Parsed.Netname != "FJORDNET-OSLO-1" || res.Parsed.AbuseEmail != "abuse@fjordnet.example" {
		t.Errorf("result %+v", res)
	}
}

func TestLookupDomainChain(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	iana := n.Serve("whois.iana.org:43", whoistest.AnswerWith(readTestdata(t, "iana-domain.txt")))
	verisign := n.Serve("whois.verisign-grs.com:43", whoistest.AnswerWith(readTestdata(t, "verisign.txt")))
	// The registrar names itself as WHOIS server again; that must not loop.
	registrar := n.Serve("whois.registrar.example:43", whoistest.AnswerWith(readTestdata(t, "registrar.txt")))

	res, err := (&Client{Dial: n.Dial}).Lookup(context.Background(), "Northwind-Cloud.COM.")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*whoistest.Server{"iana": iana, "verisign": verisign, "registrar": registrar} {
		if !equal(s.Received(), []string{"northwind-cloud.com"}) {
			t.Errorf("%s got %q", name, s.Received())
		}
	}
	want := Parsed{
		Organization: "Northwind Cloud Inc.", Country: "US", Registrar: "Example Registrar, Inc.",
		Created: "2001-01-19T16:12:05Z", Updated: "2023-08-14T07:01:38Z", AbuseEmail: "abuse@registrar.example",
	}
	if res.Query != "northwind-cloud.com" || res.Server != "whois.registrar.example" || res.Parsed != want {
		t.Errorf("got %+v", res)
	}
}

func TestLookupStopsReferralLoop(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	root := n.Serve("whois.iana.org:43", whoistest.AnswerWith("refer: whois.loop.example\n"))
	loop := n.Serve("whois.loop.example:43", whoistest.AnswerWith("netname: LOOPY\nrefer: whois.iana.org\n"))

	res, err := (&Client{Dial: n.Dial}).Lookup(context.Background(), "93.184.216.34")
	if err != nil {
		t.Fatal(err)
	}
	if len(root.Received()) != 1 || len(loop.Received()) != 1 {
		t.Errorf("root asked %d times, loop %d times; want once each", len(root.Received()), len(loop.Received()))
	}
	if res.Server != "whois.loop.example" || res.Parsed.Netname != "LOOPY" {
		t.Errorf("got %+v", res)
	}
}

func TestLookupBoundsReferralDepth(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	// A chain where every server refers to a new one.
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("refer: hop1.example\n"))
	for i := 1; i <= 10; i++ {
		n.Serve(fmt.Sprintf("hop%d.example:43", i), whoistest.AnswerWith(fmt.Sprintf("netname: HOP-%d\nrefer: hop%d.example\n", i, i+1)))
	}
	for maxReferrals, wantServer := range map[int]string{0: "hop3.example", 1: "hop1.example", 5: "hop5.example"} {
		res, err := (&Client{Dial: n.Dial, MaxReferrals: maxReferrals}).Lookup(context.Background(), "93.184.216.34")
		if err != nil {
			t.Fatal(err)
		}
		if res.Server != wantServer {
			t.Errorf("MaxReferrals %d: answer from %s, want %s", maxReferrals, res.Server, wantServer)
		}
	}
}

func TestLookupTimesOut(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.NeverAnswer)

	start := time.Now()
	_, err := (&Client{Dial: n.Dial, Timeout: 100 * time.Millisecond}).Lookup(context.Background(), "93.184.216.34")
	if !errors.Is(err, ErrServerFailed) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrServerFailed and DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("lookup returned after %v despite a 100ms timeout", waited)
	}
}

func TestLookupHonoursCancellation(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.NeverAnswer)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := (&Client{Dial: n.Dial, Timeout: time.Minute}).Lookup(ctx, "93.184.216.34")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestLookupTruncatesHugeResponse(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	// A referral first, then an endless stream: the referral is not
	// followed from an answer that had to be cut.
	n.Serve("whois.iana.org:43", func(_ string, conn net.Conn) {
		fmt.Fprint(conn, "refer: whois.arin.net\nnetname: HUGE\n")
		line := strings.Repeat("remarks: ä filler filler filler\n", 1024)
		for {
			if _, err := fmt.Fprint(conn, line); err != nil {
				return // the client hung up
			}
		}
	})
	c := &Client{Dial: n.Dial, MaxResponseBytes: 64 << 10}
	res, err := c.Lookup(context.Background(), "93.184.216.34")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.RawOutput) > 64<<10 || len(res.RawOutput) < 60<<10 {
		t.Errorf("truncated = %v, %d bytes kept; want a marked cut at 64 KiB", res.Truncated, len(res.RawOutput))
	}
	if !utf8.ValidString(res.RawOutput) || strings.Contains(res.RawOutput, "Ã") {
		t.Error("cutting inside a UTF-8 character garbled the text")
	}
	if res.Parsed.Netname != "HUGE" || res.Server != "whois.iana.org" {
		t.Errorf("got server %s, parsed %+v", res.Server, res.Parsed)
	}
	for _, d := range n.Dialed() {
		if d == "whois.arin.net:43" {
			t.Error("followed a referral from a truncated answer")
		}
	}
}

func TestLookupSurvivesGarbage(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	garbage := []byte("\x00\x01\xff\xfe\x1b[31mnetname:\x00EVIL\x1b]0;title\x07\r\n\x89PNG\r\n\x1a\n\xc3\x28refer: \x00whois.evil.example\n")
	n.Serve("whois.iana.org:43", func(_ string, conn net.Conn) { conn.Write(garbage) })

	res, err := (&Client{Dial: n.Dial}).Lookup(context.Background(), "93.184.216.34")
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(res.RawOutput) {
		t.Error("raw output is not valid UTF-8")
	}
	for _, r := range res.RawOutput {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			t.Errorf("raw output keeps control character %U: %q", r, res.RawOutput)
		}
	}
	if _, err := json.Marshal(res); err != nil {
		t.Error(err)
	}
	if len(n.Dialed()) != 1 {
		t.Errorf("dialled %q; the garbage holds no valid referral line", n.Dialed())
	}
}

func TestLookupReadsLatin1(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	// LACNIC answers in ISO-8859-1.
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("inetnum: 200.160.0.0/20\nowner: N\xfacleo de Telecomunica\xe7\xf5es Ltda\ncountry: BR\n"))
	res, err := (&Client{Dial: n.Dial}).Lookup(context.Background(), "200.160.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if res.Parsed.Organization != "Núcleo de Telecomunicações Ltda" {
		t.Errorf("organization = %q", res.Parsed.Organization)
	}
}

func TestLookupUnreachableServer(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("refer: whois.gone.example\n"))
	_, err := (&Client{Dial: n.Dial}).Lookup(context.Background(), "93.184.216.34")
	if !errors.Is(err, ErrServerFailed) || !strings.Contains(err.Error(), "whois.gone.example") {
		t.Errorf("err = %v, want ErrServerFailed naming whois.gone.example", err)
	}
}

func TestReservedAddressesAnsweredLocally(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ netname, netrange string }{
		"10.1.2.3":           {"PRIVATE-ADDRESS-SPACE", "10.0.0.0/8"},
		"172.20.0.1":         {"PRIVATE-ADDRESS-SPACE", "172.16.0.0/12"},
		"192.168.1.1":        {"PRIVATE-ADDRESS-SPACE", "192.168.0.0/16"},
		"::ffff:192.168.1.1": {"PRIVATE-ADDRESS-SPACE", "192.168.0.0/16"},
		"127.0.0.1":          {"LOOPBACK-ADDRESS", "127.0.0.0/8"},
		"::1":                {"LOOPBACK-ADDRESS", "::1/128"},
		"169.254.10.20":      {"LINK-LOCAL-ADDRESS", "169.254.0.0/16"},
		"fe80::1":            {"LINK-LOCAL-ADDRESS", "fe80::/10"},
		"100.64.1.1":         {"SHARED-ADDRESS-SPACE", "100.64.0.0/10"},
		"224.0.0.251":        {"MULTICAST-ADDRESS", "224.0.0.0/4"},
		"ff02::fb":           {"MULTICAST-ADDRESS", "ff00::/8"},
		"192.0.2.1":          {"DOCUMENTATION-ADDRESS", "192.0.2.0/24"},
		"198.51.100.7":       {"DOCUMENTATION-ADDRESS", "198.51.100.0/24"},
		"203.0.113.9":        {"DOCUMENTATION-ADDRESS", "203.0.113.0/24"},
		"2001:db8::1":        {"DOCUMENTATION-ADDRESS", "2001:db8::/32"},
		"0.0.0.0":            {"UNSPECIFIED-ADDRESS", "0.0.0.0/32"},
		"0.1.2.3":            {"THIS-NETWORK", "0.0.0.0/8"},
		"::":                 {"UNSPECIFIED-ADDRESS", "::/128"},
		"fd12:3456::1":       {"UNIQUE-LOCAL-ADDRESS", "fc00::/7"},
		"198.18.0.1":         {"BENCHMARKING-ADDRESS", "198.18.0.0/15"},
		"240.0.0.1":          {"RESERVED-ADDRESS", "240.0.0.0/4"},
		"255.255.255.255":    {"LIMITED-BROADCAST", "255.255.255.255/32"},
		"64:ff9b::808:808":   {"NAT64-WELL-KNOWN-PREFIX", "64:ff9b::/96"},
	}
	n := whoistest.NewNetwork(t)
	c := &Client{Dial: n.Dial, Cache: NewMemoryCache(10)}
	for query, want := range tests {
		res, err := c.Lookup(context.Background(), query)
		if err != nil {
			t.Errorf("%s: %v", query, err)
			continue
		}
		if res.Parsed.Netname != want.netname || res.Parsed.Netrange != want.netrange || res.Server != "" || !strings.Contains(res.RawOutput, want.netname) {
			t.Errorf("%s: got %+v, want %s %s", query, res, want.netname, want.netrange)
		}
	}
	if d := n.Dialed(); len(d) != 0 {
		t.Errorf("reserved addresses caused connections: %q", d)
	}
	// Public neighbours of reserved ranges are not caught.
	for _, addr := range []string{"11.0.0.1", "172.32.0.1", "100.128.0.1", "2001:db9::1", "2606:4700::1111"} {
		if res, ok := reservedAnswer(must(ParseQuery(addr)).addr); ok {
			t.Errorf("%s answered as reserved: %+v", addr, res.Parsed)
		}
	}
}

func TestInvalidQueriesNeverDial(t *testing.T) {
	t.Parallel()
	n := whoistest.NewNetwork(t)
	n.Serve("whois.iana.org:43", whoistest.AnswerWith("netname: SHOULD-NOT-BE-ASKED\n"))
	c := &Client{Dial: n.Dial}
	for _, q := range []string{
		"-h evil.example 8.8.8.8", "-h", "8.8.8.8 -h evil.example", "example.com -T dn",
		"8.8.8.8; rm -rf /", "example.com;id", "example.com\r\nquit", "example.com\n", "8.8.8.8\n",
		"$(id).example.com", "`id`.example.com", "example.com|nc evil 1", "example .com", "",
		strings.Repeat("a", 300) + ".com", strings.Repeat("a.", 200) + "com", "fe80::1%eth0\r\nx",
	} {
		if _, err := c.Lookup(context.Background(), q); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("Lookup(%q) err = %v, want ErrInvalidQuery", q, err)
		}
	}
	if d := n.Dialed(); len(d) != 0 {
		t.Errorf("invalid queries caused connections: %q", d)
	}
}
