package geoip

import (
	"fmt"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/netwatcher/netwatcher/controller/lookup/internal/filewatch"
)

// kind is what a database answers; it orders lookups and feeds Status.
type kind int

const (
	kindCity kind = iota
	kindCountry
	kindASN
)

// answered reports whether res already holds everything a database of this
// kind could add, so the database need not be consulted.
func (k kind) answered(res *Result) bool {
	switch k {
	case kindCity:
		return res.City != (City{}) && res.Country != (Country{}) && res.Coordinates != (Coordinates{})
	case kindCountry:
		return res.Country != (Country{})
	default:
		return res.ASN != (ASN{})
	}
}

// detectKind reads a database's metadata type. MaxMind writes names such as
// "GeoLite2-City", "GeoIP2-Enterprise", "GeoLite2-ASN", "GeoIP2-ISP", and
// DB-IP "DBIP-City-Lite"; ip-location-db writes "city ipv4", "country
// ipvAll", "asn ipv6". City is tested first: city databases also carry
// countries, and some names mention both.
func detectKind(databaseType string) (kind, bool) {
	t := strings.ToLower(databaseType)
	switch {
	case strings.Contains(t, "city"), strings.Contains(t, "enterprise"):
		return kindCity, true
	case strings.Contains(t, "country"):
		return kindCountry, true
	case strings.Contains(t, "asn"), strings.Contains(t, "isp"):
		return kindASN, true
	}
	return 0, false
}

// database is one opened, memory-mapped .mmdb file.
type database struct {
	path   string
	kind   kind
	reader *maxminddb.Reader
	// ipv4Only is set for IPv4 trees (ip-location-db ships IPv4 and IPv6 as
	// separate files); asking them about an IPv6 address is an error.
	ipv4Only bool
}

// openDatabase opens path as the given kind, or as the kind its metadata
// names when detect is set.
func openDatabase(path string, k kind, detect bool) (*database, error) {
	reader, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open geoip database %s: %w", path, err)
	}
	if detect {
		var ok bool
		if k, ok = detectKind(reader.Metadata.DatabaseType); !ok {
			reader.Close()
			return nil, fmt.Errorf("geoip database %s: unknown database type %q", path, reader.Metadata.DatabaseType)
		}
	}
	return &database{path: path, kind: k, reader: reader, ipv4Only: reader.Metadata.IPVersion == 4}, nil
}

// fileState is what the last reload saw at one candidate path: the file's
// version (zero when missing) and, when usable, the database opened from it.
// Keeping unusable versions too means a missing, broken or unneeded file is
// not retried and reported on every poll.
type fileState struct {
	stamp filewatch.Stamp
	db    *database
}
