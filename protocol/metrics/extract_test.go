package metrics

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/netwatcher/netwatcher/protocol"
)

func readPayload(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func extractFile(t *testing.T, resultType, name string) Values {
	t.Helper()
	v, err := Extract(resultType, readPayload(t, name))
	if err != nil {
		t.Fatalf("Extract(%s, %s): %v", resultType, name, err)
	}
	return v
}

// checkMetrics fails unless got holds exactly the metrics of want.
func checkMetrics(t *testing.T, label string, got, want map[string]float64) {
	t.Helper()
	for name, w := range want {
		if value, ok := got[name]; !ok || math.Abs(value-w) > 1e-9 {
			t.Errorf("%s: %s = %v (present %v), want %v", label, name, value, ok, w)
		}
	}
	for name, value := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s = %v, want no value", label, name, value)
		}
	}
}

// The golden payloads are shaped like what agents send (PROTOCOL.md §5):
// nanosecond PING RTTs, MTR hop statistics as strings, camelCase TRAFFICSIM.
// Each case lists every metric the result must have; any other must be absent.
func TestExtractGoldenPayloads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, resultType string
		want             map[string]float64
		wantPath         string
		wantCPU          *CPUTimes
	}{
		{file: "ping.json", resultType: protocol.TypePing,
			want: map[string]float64{PacketLoss: 10, Latency: 14.502311}},
		{file: "ping_unreachable.json", resultType: protocol.TypePing,
			want: map[string]float64{PacketLoss: 100}},
		{file: "ping_with_jitter.json", resultType: protocol.TypePing,
			want: map[string]float64{PacketLoss: 0, Latency: 20, Jitter: 2, MOS: 4.392231829875}},
		{file: "trafficsim_voip.json", resultType: protocol.TypeTrafficSim,
			want: map[string]float64{PacketLoss: 1.6666666666666667, Latency: 23.45, Jitter: 1.8, MOS: 4.38}},
		{file: "trafficsim.json", resultType: protocol.TypeTrafficSim,
			want: map[string]float64{PacketLoss: 1, Latency: 80, Jitter: 10, MOS: 4.285599380875}},
		{file: "trafficsim_all_lost.json", resultType: protocol.TypeTrafficSim,
			want: map[string]float64{PacketLoss: 100}},
		{file: "mtr.json", resultType: protocol.TypeMTR,
			want:     map[string]float64{EndHopLoss: 20, EndHopLatency: 14.73, HopCount: 5},
			wantPath: "192.168.1.1|100.64.0.1|*|72.14.215.85,72.14.236.73|8.8.8.8"},
		{file: "mtr_unreachable_numeric.json", resultType: protocol.TypeMTR,
			want:     map[string]float64{EndHopLoss: 100, HopCount: 3},
			wantPath: "2001:db8::1|2001:db8:100::1|*"},
		{file: "dns.json", resultType: protocol.TypeDNS,
			want: map[string]float64{DNSQueryTime: 12.345, DNSFailure: 0}},
		{file: "dns_nxdomain.json", resultType: protocol.TypeDNS,
			want: map[string]float64{DNSQueryTime: 20.5, DNSFailure: 1}},
		{file: "dns_error.json", resultType: protocol.TypeDNS,
			want: map[string]float64{DNSFailure: 1}},
		{file: "http.json", resultType: protocol.TypeHTTP,
			want: map[string]float64{HTTPStatus: 200, HTTPTotalMs: 245.678, HTTPTTFB: 180.2, HTTPFailure: 0, TLSExpiryDays: 63}},
		{file: "http_404.json", resultType: protocol.TypeHTTP,
			want: map[string]float64{HTTPStatus: 404, HTTPTotalMs: 48.9, HTTPTTFB: 40.5, HTTPFailure: 1}},
		{file: "http_failed.json", resultType: protocol.TypeHTTP,
			want: map[string]float64{HTTPTotalMs: 10001.2, HTTPFailure: 1}},
		{file: "tls.json", resultType: protocol.TypeTLS,
			want: map[string]float64{TLSExpiryDays: 45}},
		{file: "tls_failed.json", resultType: protocol.TypeTLS,
			want: map[string]float64{}},
		{file: "sysinfo.json", resultType: protocol.TypeSysinfo,
			want:    map[string]float64{MemoryUsage: 37.5},
			wantCPU: &CPUTimes{Busy: 5200e9, Idle: 20500e9}},
		{file: "netinfo.json", resultType: protocol.TypeNetinfo, want: map[string]float64{}},
		{file: "speedtest.json", resultType: protocol.TypeSpeedtest, want: map[string]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			v := extractFile(t, tt.resultType, tt.file)
			checkMetrics(t, tt.file, v.Metrics(), tt.want)
			if path := v.Path.String(); path != tt.wantPath {
				t.Errorf("path = %q, want %q", path, tt.wantPath)
			}
			if (v.CPU == nil) != (tt.wantCPU == nil) || (v.CPU != nil && *v.CPU != *tt.wantCPU) {
				t.Errorf("CPU = %+v, want %+v", v.CPU, tt.wantCPU)
			}
		})
	}
}

func TestCPUUsageFromConsecutiveSysinfo(t *testing.T) {
	t.Parallel()
	first := extractFile(t, protocol.TypeSysinfo, "sysinfo.json")
	first.CompareWithPrevious(nil)
	if first.CPUUsage != nil {
		t.Errorf("first sample cpu_usage = %v, want no value", *first.CPUUsage)
	}

	later := extractFile(t, protocol.TypeSysinfo, "sysinfo_later.json")
	later.CompareWithPrevious(&first)
	// 120 s busy of 480 s of CPU time passed.
	if later.CPUUsage == nil || math.Abs(*later.CPUUsage-25) > 1e-9 {
		t.Errorf("cpu_usage = %v, want 25", later.CPUUsage)
	}
	if later.MemoryUsage == nil || *later.MemoryUsage != 50 {
		t.Errorf("memory_usage = %v, want 50", later.MemoryUsage)
	}

	rebooted := extractFile(t, protocol.TypeSysinfo, "sysinfo.json")
	rebooted.CompareWithPrevious(&later)
	if rebooted.CPUUsage != nil {
		t.Errorf("cpu_usage across a counter reset = %v, want no value", *rebooted.CPUUsage)
	}
}

func TestRouteChangeFromConsecutiveMTR(t *testing.T) {
	t.Parallel()
	first := extractFile(t, protocol.TypeMTR, "mtr.json")
	first.CompareWithPrevious(nil)
	if first.RouteChange == nil || *first.RouteChange != 0 {
		t.Errorf("first result route_change = %v, want 0", first.RouteChange)
	}

	same := extractFile(t, protocol.TypeMTR, "mtr.json")
	same.CompareWithPrevious(&first)
	if same.RouteChange == nil || *same.RouteChange != 0 {
		t.Errorf("same route route_change = %v, want 0", same.RouteChange)
	}

	other := extractFile(t, protocol.TypeMTR, "mtr_unreachable_numeric.json")
	other.CompareWithPrevious(&first)
	if other.RouteChange == nil || *other.RouteChange != 1 {
		t.Errorf("different route route_change = %v, want 1", other.RouteChange)
	}
}

func TestMTRHopFieldsAcceptStringsAndNumbers(t *testing.T) {
	t.Parallel()
	for _, payload := range []string{
		`{"report":{"hops":[{"ttl":1,"hosts":[{"ip":"10.0.0.1"}],"loss_pct":"12.5","sent":"8","recv":"7","avg":" 3.25 "}]}}`,
		`{"report":{"hops":[{"ttl":"1","hosts":[{"ip":"10.0.0.1"}],"loss_pct":12.5,"sent":8,"recv":7,"avg":3.25}]}}`,
	} {
		v, err := Extract(protocol.TypeMTR, json.RawMessage(payload))
		if err != nil {
			t.Fatalf("Extract(%s): %v", payload, err)
		}
		if v.EndHopLoss == nil || *v.EndHopLoss != 12.5 || v.EndHopLatency == nil || *v.EndHopLatency != 3.25 {
			t.Errorf("Extract(%s) = loss %v latency %v, want 12.5 and 3.25", payload, v.EndHopLoss, v.EndHopLatency)
		}
	}
	v, err := Extract(protocol.TypeMTR, json.RawMessage(`{"report":{"hops":[{"ttl":1,"hosts":[],"loss_pct":"-","avg":"-"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if v.EndHopLoss != nil || v.EndHopLatency != nil {
		t.Errorf(`"-" gave loss %v latency %v, want no values`, v.EndHopLoss, v.EndHopLatency)
	}
	if v, _ := Extract(protocol.TypeMTR, json.RawMessage(`{"report":{"hops":[]}}`)); len(v.Metrics()) != 0 || v.Path != nil {
		t.Errorf("trace without hops gave %v and path %q", v.Metrics(), v.Path)
	}
}

// Zeros that agents write when nothing was measured must not become values.
func TestStandInZerosHaveNoValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		resultType, payload string
		want                map[string]float64
	}{
		{protocol.TypePing, `{"packets_sent":0,"packets_recv":0,"packet_loss":0,"avg_rtt":0}`, map[string]float64{}},
		{protocol.TypePing, `{"packets_sent":5,"packets_recv":1,"packet_loss":80,"avg_rtt":3000000,"jitter":0}`,
			map[string]float64{PacketLoss: 80, Latency: 3}},
		{protocol.TypeTrafficSim, `{"totalPackets":0,"lostPackets":0,"lossPercentage":0,"averageRTT":0,"jitterAvg":0}`, map[string]float64{}},
		{protocol.TypeTrafficSim, `{"totalPackets":60,"lostPackets":59,"lossPercentage":98.33,"averageRTT":31,"jitterAvg":0}`,
			map[string]float64{PacketLoss: 98.33, Latency: 31}},
	}
	for _, tt := range tests {
		v, err := Extract(tt.resultType, json.RawMessage(tt.payload))
		if err != nil {
			t.Fatalf("Extract(%s, %s): %v", tt.resultType, tt.payload, err)
		}
		checkMetrics(t, tt.payload, v.Metrics(), tt.want)
	}
}
