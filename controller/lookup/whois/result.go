package whois

import "time"

// Result is the answer to one WHOIS query, shaped as the API reference's
// /whois/lookup response.
type Result struct {
	Query        string `json:"query"`      // normalised
	RawOutput    string `json:"raw_output"` // the final server's answer, as printable UTF-8
	Parsed       Parsed `json:"parsed"`
	LookupTimeMS int64  `json:"lookup_time_ms"`
	// Server is the server whose answer this is ("whois.arin.net"); empty
	// for reserved addresses, answered without one.
	Server string `json:"server,omitempty"`
	// Truncated is set when the answer exceeded Client.MaxResponseBytes and
	// RawOutput holds only its beginning.
	Truncated bool `json:"truncated,omitempty"`
	// Cached and CacheTime are set when the answer came from the cache;
	// CacheTime is when it was fetched.
	Cached    bool      `json:"cached,omitempty"`
	CacheTime time.Time `json:"cache_time,omitzero"`
}

// Parsed holds the fields the reference lists, as far as the answer has
// them. Dates are RFC 3339 (full-date when the registry gives only a day),
// or as the registry wrote them when not recognised.
type Parsed struct {
	Netname      string `json:"netname,omitempty"`
	Netrange     string `json:"netrange,omitempty"`
	Organization string `json:"organization,omitempty"`
	Country      string `json:"country,omitempty"`
	Registrar    string `json:"registrar,omitempty"`
	Created      string `json:"created,omitempty"`
	Updated      string `json:"updated,omitempty"`
	AbuseEmail   string `json:"abuse_email,omitempty"`
}
