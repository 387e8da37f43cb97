package whois

import (
	"regexp"
	"strings"
	"time"
)

// field is one "key: value" line of an answer; keys are lower-cased.
type field struct{ key, value string }

// block is one object of an answer: consecutive fields up to a blank line
// (an RPSL object at the RIRs, a contact or network section at ARIN).
type block []field

func (b block) value(keys ...string) string {
	for _, k := range keys {
		for _, f := range b {
			if f.key == k && f.value != "" {
				return f.value
			}
		}
	}
	return ""
}

// splitBlocks reads an answer into blocks, dropping comments (% and #
// lines). A key with an empty value takes the next line that is not itself
// a field, as Nominet (.uk) puts values on their own indented line.
func splitBlocks(text string) []block {
	var blocks []block
	var cur block
	pending := -1 // index in cur of a field waiting for its value
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			if len(cur) > 0 {
				blocks = append(blocks, cur)
			}
			cur, pending = nil, -1
		case line[0] == '%' || line[0] == '#':
		default:
			if key, value, ok := keyValue(line); ok {
				cur = append(cur, field{key, value})
				pending = -1
				if value == "" {
					pending = len(cur) - 1
				}
			} else if pending >= 0 {
				cur[pending].value, pending = line, -1
			}
		}
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

// keyValue splits "Key Name: value". Keys start with a letter and hold
// letters, digits, spaces and - _ /; anything else (URLs, times, prose) is
// not a field.
func keyValue(line string) (key, value string, ok bool) {
	key, value, found := strings.Cut(line, ":")
	if !found || key == "" || len(key) > 48 || !isLetter(key[0]) {
		return "", "", false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !isLetter(c) && !('0' <= c && c <= '9') && !strings.ContainsRune(" -_/", rune(c)) {
			return "", "", false
		}
	}
	return strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value), true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// answer is a parsed response. Fields are looked up in its main section
// first: from the last block that opens a network or domain record to the
// end. ARIN lists the covering networks least specific first, each followed
// by its organisation and contacts, so the last one is the address's own;
// RPSL answers and domain answers have one such record.
type answer struct {
	all, main []block
}

var recordKeys = []string{"netrange", "inetnum", "inet6num", "domain name"}

func newAnswer(text string) answer {
	blocks := splitBlocks(text)
	a := answer{all: blocks, main: blocks}
	for i := len(blocks) - 1; i >= 0; i-- {
		if blocks[i].value(recordKeys...) != "" {
			a.main = blocks[i:]
			break
		}
	}
	return a
}

// first returns the value of the first of keys present, preferring the
// main section and, within a scope, earlier keys over later ones.
func (a answer) first(keys ...string) (key, value string) {
	for _, scope := range [][]block{a.main, a.all} {
		for _, k := range keys {
			for _, b := range scope {
				if v := b.value(k); v != "" {
					return k, v
				}
			}
		}
	}
	return "", ""
}

func (a answer) get(keys ...string) string {
	_, v := a.first(keys...)
	return v
}

// parse extracts the reference's fields from the formats of ARIN, the RPSL
// registries (RIPE, APNIC, AFRINIC), LACNIC, gTLD registries and registrars
// (ICANN's key names) and Nominet-style ccTLDs.
func parse(text string) Parsed {
	a := newAnswer(text)
	return Parsed{
		Netname:      a.get("netname"),
		Netrange:     a.get("netrange", "inetnum", "inet6num", "cidr"),
		Organization: a.organization(),
		Country:      a.get("country", "registrant country"),
		Registrar:    a.get("registrar", "sponsoring registrar", "registrar name"),
		Created:      normalizeDate(a.get("creation date", "created", "regdate", "registered on", "registration time", "created on", "domain registration date")),
		Updated:      normalizeDate(a.get("updated date", "last-modified", "updated", "last updated", "last modified", "updated on", "changed")),
		AbuseEmail:   a.abuseEmail(text),
	}
}

// arinHandle is the " (GOGL)" ARIN appends to organisation names in
// network records.
var arinHandle = regexp.MustCompile(`\s+\([A-Z0-9-]+\)$`)

// organization prefers an organisation object's name (RPSL org-name, ARIN
// OrgName) over LACNIC's owner, ARIN's net-level Organization, a
// registrant, a network's free-text descr, and IANA's organisation line.
func (a answer) organization() string {
	key, v := a.first("org-name", "orgname", "owner", "organization", "registrant organization", "registrant", "descr", "organisation")
	if key == "organization" {
		v = arinHandle.ReplaceAllString(v, "")
	}
	return v
}

// abuseComment is the line RIPE, APNIC and AFRINIC put above results:
// % Abuse contact for '193.0.0.0 - 193.0.7.255' is 'abuse@ripe.net'
var abuseComment = regexp.MustCompile(`(?m)^%\s*Abuse contact for .* is '([^'\s]+@[^'\s]+)'`)

func (a answer) abuseEmail(text string) string {
	if m := abuseComment.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	if v := a.get("orgabuseemail", "abuse-mailbox", "registrar abuse contact email"); v != "" {
		return v
	}
	// LACNIC names the abuse contact by handle (abuse-c) and lists the
	// contact as its own block.
	if handle := a.get("abuse-c"); handle != "" {
		for _, b := range a.all {
			if b.value("nic-hdl", "nic-hdl-br") == handle {
				return b.value("abuse-mailbox", "e-mail")
			}
		}
	}
	return ""
}

// dateLayouts are the date forms registries use: RFC 3339 (RIRs, gTLDs),
// numeric zones (registrars), bare days (ARIN), YYYYMMDD (LACNIC) and
// Nominet's 11-Jun-2001.
var dateLayouts = []struct {
	layout  string
	dayOnly bool
}{
	{time.RFC3339, false},
	{"2006-01-02T15:04:05Z0700", false},
	{"2006-01-02 15:04:05", false},
	{"2006-01-02", true},
	{"20060102", true},
	{"02-Jan-2006", true},
}

// normalizeDate writes recognised dates as RFC 3339 in UTC, or as a
// full-date when only the day is known; others are kept as written.
func normalizeDate(s string) string {
	for _, d := range dateLayouts {
		t, err := time.Parse(d.layout, s)
		if err != nil {
			continue
		}
		if d.dayOnly {
			return t.Format(time.DateOnly)
		}
		return t.UTC().Format(time.RFC3339)
	}
	return s
}
