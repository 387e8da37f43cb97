package geoip

import (
	"strconv"

	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// record is one database entry decoded in a single pass whatever its schema.
// MaxMind GeoIP2/GeoLite2 nest names under maps (city.names.en, location.*),
// the free ip-location-db files are flat (city, state1, country_code,
// latitude, longitude); ASN fields are the same in both. Keys a database does
// not have stay zero.
type record struct {
	City              placeName `maxminddb:"city"`
	Subdivisions      []place   `maxminddb:"subdivisions"`
	State1            string    `maxminddb:"state1"`
	Country           place     `maxminddb:"country"`
	RegisteredCountry place     `maxminddb:"registered_country"`
	CountryCode       string    `maxminddb:"country_code"`
	Location          location  `maxminddb:"location"`
	Latitude          degrees   `maxminddb:"latitude"`
	Longitude         degrees   `maxminddb:"longitude"`
	ASNumber          uint32    `maxminddb:"autonomous_system_number"`
	ASOrganization    string    `maxminddb:"autonomous_system_organization"`
}

// place is MaxMind's shape for countries and subdivisions.
type place struct {
	ISOCode string `maxminddb:"iso_code"`
	Names   struct {
		English string `maxminddb:"en"`
	} `maxminddb:"names"`
}

type location struct {
	Latitude       degrees `maxminddb:"latitude"`
	Longitude      degrees `maxminddb:"longitude"`
	AccuracyRadius uint16  `maxminddb:"accuracy_radius"`
}

// fill copies into res the parts it does not have yet, so databases consulted
// later (country, ASN) only complete what earlier ones (city) left open.
func (r *record) fill(res *Result) {
	if res.City == (City{}) {
		res.City = City{Name: string(r.City), Subdivision: r.subdivision()}
	}
	if res.Country == (Country{}) {
		res.Country = r.country()
	}
	if res.Coordinates == (Coordinates{}) {
		switch {
		case r.Location.Latitude != 0 || r.Location.Longitude != 0:
			res.Coordinates = Coordinates{
				Latitude:       float64(r.Location.Latitude),
				Longitude:      float64(r.Location.Longitude),
				AccuracyRadius: r.Location.AccuracyRadius,
			}
		case r.Latitude != 0 || r.Longitude != 0:
			res.Coordinates = Coordinates{Latitude: float64(r.Latitude), Longitude: float64(r.Longitude)}
		}
	}
	if res.ASN == (ASN{}) && r.ASNumber != 0 {
		res.ASN = ASN{Number: r.ASNumber, Organization: r.ASOrganization}
	}
}

func (r *record) subdivision() string {
	if len(r.Subdivisions) > 0 {
		if first := r.Subdivisions[0]; first.ISOCode != "" {
			return first.ISOCode
		} else if first.Names.English != "" {
			return first.Names.English
		}
	}
	return r.State1
}

// country prefers where the address is used (country) over where its block
// is registered (registered_country), which MaxMind fills alone for some
// anycast and satellite ranges.
func (r *record) country() Country {
	for _, p := range []place{r.Country, r.RegisteredCountry, {ISOCode: r.CountryCode}} {
		if p.ISOCode == "" && p.Names.English == "" {
			continue
		}
		name := p.Names.English
		if name == "" {
			name = countryNames[p.ISOCode]
		}
		return Country{Code: p.ISOCode, Name: name}
	}
	return Country{}
}

// placeName is a city name stored either as a plain string (ip-location-db)
// or as MaxMind's {"geoname_id":…, "names":{"en":…}} map; the two schemas use
// the same key, so the type of the value decides.
type placeName string

func (p *placeName) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind == mmdbdata.KindString {
		name, next, err := c.ReadString()
		if err != nil {
			return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[placeName](err)
		}
		*p = placeName(name)
		return next, nil
	}
	next, err := readMapValue(c, "names", func(names mmdbdata.Cursor) (mmdbdata.Cursor, error) {
		return readMapValue(names, "en", func(english mmdbdata.Cursor) (mmdbdata.Cursor, error) {
			name, next, err := english.ReadString()
			*p = placeName(name)
			return next, err
		})
	})
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[placeName](err)
	}
	return next, nil
}

// readMapValue walks the map at c, hands the value stored under key to read
// and skips every other value, returning the cursor after the whole map.
func readMapValue(c mmdbdata.Cursor, key string, read func(mmdbdata.Cursor) (mmdbdata.Cursor, error)) (mmdbdata.Cursor, error) {
	entries, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		k, value, ok := entries.Next(next)
		if !ok {
			break
		}
		if string(k) == key {
			next, err = read(value)
		} else {
			next, err = value.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return entries.End()
}

// degrees is a latitude or longitude. ip-location-db stores them as float32;
// widening 37.422 would give 37.42200088500977, so a float32 becomes the
// shortest decimal that reads back as the same float32.
type degrees float64

func (d *degrees) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind == mmdbdata.KindFloat32 {
		f, next, err := c.ReadFloat32()
		if err != nil {
			return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[degrees](err)
		}
		v, err := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'f', -1, 32), 64)
		*d = degrees(v)
		return next, err
	}
	f, next, err := c.ReadFloat64()
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[degrees](err)
	}
	*d = degrees(f)
	return next, nil
}
