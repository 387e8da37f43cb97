package geoip

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/netwatcher/netwatcher/controller/lookup/geoip/geoiptest"
)

// benchLocator opens GeoLite2-shaped City and ASN databases of 20,000 /24
// networks (10.0.0.0/8 split up) sharing 500 distinct records, with names in
// several languages as in the real files. cacheSize 1 defeats the cache when
// addresses rotate.
func benchLocator(b *testing.B, cacheSize int) *Locator {
	b.Helper()
	dir := b.TempDir()
	cities, asns := map[string]mmdbtype.Map{}, map[string]mmdbtype.Map{}
	for i := range 20000 {
		cidr := fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)
		v := i % 500
		cities[cidr] = geoiptest.MaxMindCity(fmt.Sprintf("City %d", v), fmt.Sprintf("S%d", v%50), "US", "United States", 30+float64(v)/100, -100-float64(v)/100, 100)
		asns[cidr] = geoiptest.ASNRecord(uint32(64512+v), fmt.Sprintf("Network Operator %d", v))
	}
	city, asn := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	geoiptest.WriteDB(b, city, "GeoLite2-City", 6, cities)
	geoiptest.WriteDB(b, asn, "GeoLite2-ASN", 6, asns)
	l, err := Open(Config{City: []string{city}, ASN: []string{asn}, CacheSize: cacheSize})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

func benchIPs(n int) []string {
	ips := make([]string, n)
	for i := range ips {
		ips[i] = fmt.Sprintf("10.%d.%d.%d", (i*37)%78, (i*101)%256, i%250+1)
	}
	return ips
}

func BenchmarkLookup(b *testing.B) {
	b.Run("uncached", func(b *testing.B) {
		l := benchLocator(b, 1)
		ips := benchIPs(1000)
		i := 0
		for b.Loop() {
			if _, err := l.Lookup(ips[i%len(ips)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("cached", func(b *testing.B) {
		l := benchLocator(b, 10000)
		for b.Loop() {
			if _, err := l.Lookup("10.1.2.3"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLookupMany100(b *testing.B) {
	l := benchLocator(b, 1)
	ips := benchIPs(100)
	for b.Loop() {
		for _, r := range l.LookupMany(ips) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
}
