package metrics

import (
	"testing"

	"github.com/netwatcher/netwatcher/protocol"
)

func TestProduces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		probeType, metric string
		want              bool
	}{
		{protocol.TypePing, PacketLoss, true},
		{protocol.TypeTrafficSim, MOS, true},
		{protocol.TypePing, HopCount, false},
		{protocol.TypeAgent, HopCount, true}, // via its MTR results
		{protocol.TypeAgent, Jitter, true},   // via its PING and TRAFFICSIM results
		{protocol.TypeAgent, DNSFailure, false},
		{protocol.TypeHTTP, TLSExpiryDays, true},
		{protocol.TypeTLS, TLSExpiryDays, true},
		{protocol.TypeTLS, HTTPStatus, false},
		{protocol.TypeSysinfo, CPUUsage, true},
		{protocol.TypeNetinfo, Latency, false},
		{protocol.TypePing, Offline, false},
		{protocol.TypePing, "packet_loss_typo", false},
		{"WEB", PacketLoss, false},
	}
	for _, tt := range tests {
		if got := Produces(tt.probeType, tt.metric); got != tt.want {
			t.Errorf("Produces(%s, %s) = %v, want %v", tt.probeType, tt.metric, got, tt.want)
		}
	}
}

func TestIsMetric(t *testing.T) {
	t.Parallel()
	for _, name := range []string{PacketLoss, RouteChange, CPUUsage, Offline} {
		if !IsMetric(name) {
			t.Errorf("IsMetric(%q) = false", name)
		}
	}
	for _, name := range []string{"", "loss", "Packet_Loss"} {
		if IsMetric(name) {
			t.Errorf("IsMetric(%q) = true", name)
		}
	}
}

// Every metric of a result must have a Values field that Metrics reports, and
// only the agent-level Offline has none; this keeps the two lists in step.
func TestValuesCoverEveryResultMetric(t *testing.T) {
	t.Parallel()
	one := func() *float64 { v := 1.0; return &v }
	all := Values{
		PacketLoss: one(), Latency: one(), Jitter: one(), MOS: one(), EndHopLoss: one(), EndHopLatency: one(),
		HopCount: one(), RouteChange: one(), DNSQueryTime: one(), DNSFailure: one(), HTTPStatus: one(),
		HTTPTotalMs: one(), HTTPTTFB: one(), HTTPFailure: one(), TLSExpiryDays: one(), CPUUsage: one(), MemoryUsage: one(),
	}
	reported := all.Metrics()
	for _, d := range Definitions() {
		if _, ok := reported[d.Name]; ok == (d.Name == Offline) {
			t.Errorf("metric %q reported by Values.Metrics: %v", d.Name, ok)
		}
		if (len(d.ResultTypes) == 0) != (d.Name == Offline) {
			t.Errorf("metric %q has result types %v", d.Name, d.ResultTypes)
		}
	}
	if len(reported) != len(Definitions())-1 {
		t.Errorf("Values.Metrics reports %d metrics, want %d", len(reported), len(Definitions())-1)
	}
}
