package metrics

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/netwatcher/netwatcher/protocol"
)

func TestExtractRejectsPayloadsThatAreNotObjects(t *testing.T) {
	t.Parallel()
	for _, resultType := range []string{
		protocol.TypePing, protocol.TypeMTR, protocol.TypeDNS, protocol.TypeHTTP, protocol.TypeTLS,
		protocol.TypeSpeedtest, protocol.TypeSpeedtestServers, protocol.TypeSysinfo, protocol.TypeNetinfo, protocol.TypeTrafficSim,
	} {
		for _, payload := range []string{``, `  `, `null`, `[]`, `[{"avg_rtt":1}]`, `"text"`, `42`, `true`} {
			_, err := Extract(resultType, json.RawMessage(payload))
			if !errors.Is(err, ErrInvalidPayload) {
				t.Errorf("Extract(%s, %q) error = %v, want ErrInvalidPayload", resultType, payload, err)
			}
		}
		if _, err := Extract(resultType, json.RawMessage(`{"unknown_extra":{"x":[1,"a"]}}`)); err != nil {
			t.Errorf("Extract(%s) rejected an unknown field: %v", resultType, err)
		}
	}
}

func TestExtractNamesTheFieldWithTheWrongType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		resultType, payload, field string
	}{
		{protocol.TypePing, `{"avg_rtt":"14ms"}`, "avg_rtt"},
		{protocol.TypePing, `{"packets_sent":true}`, "packets_sent"},
		{protocol.TypeTrafficSim, `{"lossPercentage":"1.5"}`, "lossPercentage"},
		{protocol.TypeMTR, `{"report":{"hops":[{"avg":true}]}}`, "report.hops.avg"},
		{protocol.TypeMTR, `{"report":{"hops":[{"loss_pct":"n/a"}]}}`, "report.hops.loss_pct"},
		{protocol.TypeMTR, `{"report":{"hops":[{"hosts":[{"ip":17}]}]}}`, "report.hops.hosts.ip"},
		{protocol.TypeMTR, `{"report":[]}`, "report"},
		{protocol.TypeDNS, `{"query_time_ms":"12"}`, "query_time_ms"},
		{protocol.TypeDNS, `{"response_code":0}`, "response_code"},
		{protocol.TypeHTTP, `{"status_code":"200"}`, "status_code"},
		{protocol.TypeHTTP, `{"certificate_info":{"days_until_expiry":"63"}}`, "certificate_info.days_until_expiry"},
		{protocol.TypeTLS, `{"days_until_expiry":[45]}`, "days_until_expiry"},
		{protocol.TypeSysinfo, `{"memoryInfo":{"total_bytes":"16GiB"}}`, "memoryInfo.total_bytes"},
		{protocol.TypeSysinfo, `{"CPUTimes":{"idle":"1"}}`, "CPUTimes.idle"},
		{protocol.TypeSpeedtest, `{"test_data":[{"dl_speed":"fast"}]}`, "test_data.dl_speed"},
	}
	for _, tt := range tests {
		_, err := Extract(tt.resultType, json.RawMessage(tt.payload))
		if !errors.Is(err, ErrInvalidPayload) || !strings.Contains(err.Error(), `"`+tt.field+`"`) {
			t.Errorf("Extract(%s, %s) error = %v, want ErrInvalidPayload naming %q", tt.resultType, tt.payload, err, tt.field)
		}
	}
}

func TestExtractUnknownResultTypes(t *testing.T) {
	t.Parallel()
	for _, resultType := range []string{protocol.TypeAgent, "WEB", "ping", ""} {
		if _, err := Extract(resultType, json.RawMessage(`{}`)); !errors.Is(err, ErrUnknownResultType) {
			t.Errorf("Extract(%q) error = %v, want ErrUnknownResultType", resultType, err)
		}
	}
}
