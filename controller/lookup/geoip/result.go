package geoip

// Result is what one IP address resolves to, shaped like the API reference's
// GeoIP object. It holds no pointers: cached copies cannot be changed by
// callers.
type Result struct {
	IP string `json:"ip"`
	Details
}

// Details is what the databases know about an address. Parts they do not
// know are left zero and omitted from JSON, so an address known only to the
// ASN database is {"asn":{…}}. It is the "geoip" object of whoami and IP
// lookups, which carry the address beside it rather than inside.
type Details struct {
	City        City        `json:"city,omitzero"`
	Country     Country     `json:"country,omitzero"`
	ASN         ASN         `json:"asn,omitzero"`
	Coordinates Coordinates `json:"coordinates,omitzero"`
}

// City is the city name in English and its first-level subdivision: the ISO
// code ("CA") from MaxMind databases, the name ("California") from
// ip-location-db ones, which carry no code.
type City struct {
	Name        string `json:"name,omitempty"`
	Subdivision string `json:"subdivision,omitempty"`
}

// Country is an ISO 3166-1 alpha-2 code and its English name.
type Country struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
}

// ASN is the autonomous system announcing the address.
type ASN struct {
	Number       uint32 `json:"number"`
	Organization string `json:"organization,omitempty"`
}

// Coordinates locate the address; AccuracyRadius (km) only MaxMind provides.
type Coordinates struct {
	Latitude       float64 `json:"latitude"`
	Longitude      float64 `json:"longitude"`
	AccuracyRadius uint16  `json:"accuracy_radius,omitempty"`
}

// Status says which kinds of database are loaded, as GET /geoip/status shows.
type Status struct {
	City    bool `json:"city"`
	Country bool `json:"country"`
	ASN     bool `json:"asn"`
}
