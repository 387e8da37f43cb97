package protocol

import (
	"slices"
	"testing"
)

func TestIsProbeType(t *testing.T) {
	t.Parallel()
	for _, valid := range []string{"PING", "MTR", "DNS", "HTTP", "TLS", "SPEEDTEST", "SPEEDTEST_SERVERS", "SYSINFO", "NETINFO", "TRAFFICSIM", "AGENT"} {
		if !IsProbeType(valid) {
			t.Errorf("IsProbeType(%q) = false", valid)
		}
	}
	for _, invalid := range []string{"", "ping", "WEB", "RPERF", "PING "} {
		if IsProbeType(invalid) {
			t.Errorf("IsProbeType(%q) = true", invalid)
		}
	}
	if n := len(ProbeTypes()); n != 11 {
		t.Errorf("ProbeTypes() has %d types, want 11", n)
	}
}

func TestResultTypes(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		TypeAgent: {TypeMTR, TypePing, TypeTrafficSim},
		TypePing:  {TypePing},
		TypeTLS:   {TypeTLS},
		"WEB":     nil,
	}
	for probeType, want := range tests {
		if got := ResultTypes(probeType); !slices.Equal(got, want) {
			t.Errorf("ResultTypes(%q) = %v, want %v", probeType, got, want)
		}
	}
	ResultTypes(TypeAgent)[0] = "changed"
	if ResultTypes(TypeAgent)[0] != TypeMTR {
		t.Error("ResultTypes exposes its internal slice")
	}
}
