package geoip

import (
	"errors"
	"fmt"
	"testing"

	"github.com/netwatcher/netwatcher/controller/lookup/geoip/geoiptest"
)

func TestLookupMany(t *testing.T) {
	t.Parallel()
	city, asn := geoiptest.MaxMindFixtures(t, t.TempDir())
	l := mustOpen(t, Config{City: []string{city}, ASN: []string{asn}})

	ips := []string{"192.0.2.1", "bogus", "2001:db8::1", "100.64.0.1"}
	for i := range 100 { // more items than workers, to exercise the shared index
		ips = append(ips, fmt.Sprintf("192.0.2.%d", i))
	}
	got := l.LookupMany(ips)
	if len(got) != len(ips) {
		t.Fatalf("%d results for %d inputs", len(got), len(ips))
	}
	if !errors.Is(got[1].Err, ErrInvalidIP) {
		t.Errorf("item 1: err = %v, want ErrInvalidIP", got[1].Err)
	}
	for i, r := range got {
		if i == 1 {
			continue
		}
		if r.Err != nil {
			t.Errorf("item %d (%s): %v", i, ips[i], r.Err)
		} else if r.Result.IP != ips[i] {
			t.Errorf("item %d: result for %s, want %s (order lost)", i, r.Result.IP, ips[i])
		}
	}
	if got[0].Result.ASN.Number != 15169 || got[2].Result.City.Name != "Vancouver" {
		t.Errorf("unexpected results: %+v / %+v", got[0].Result, got[2].Result)
	}
	if len(l.LookupMany(nil)) != 0 {
		t.Error("results for no input")
	}
}

func TestLookupManyNotConfigured(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, Config{})
	got := l.LookupMany([]string{"192.0.2.1", "x"})
	if !errors.Is(got[0].Err, ErrNotConfigured) || !errors.Is(got[1].Err, ErrInvalidIP) {
		t.Errorf("errors = %v, %v; want ErrNotConfigured, ErrInvalidIP", got[0].Err, got[1].Err)
	}
}
