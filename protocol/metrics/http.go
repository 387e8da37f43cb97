package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

type httpPayload struct {
	StatusCode      *float64     `json:"status_code"`
	DNSLookupMs     *float64     `json:"dns_lookup_ms"`
	TCPConnectMs    *float64     `json:"tcp_connect_ms"`
	TLSHandshakeMs  *float64     `json:"tls_handshake_ms"`
	FirstByteMs     *float64     `json:"first_byte_ms"`
	TotalMs         *float64     `json:"total_ms"`
	BodySize        *float64     `json:"body_size"`
	Error           string       `json:"error"`
	CertificateInfo *certificate `json:"certificate_info"` // https only
}

// certificate is the leaf certificate as HTTP and TLS results describe it.
type certificate struct {
	DaysUntilExpiry *float64 `json:"days_until_expiry"`
}

// extractHTTP reads http_status, http_total_ms, http_ttfb, http_failure and,
// for https, tls_expiry_days. A request that got no response (deployed agents
// send status 0) has no status and no time to first byte; its total time is
// the time until it failed.
func extractHTTP(payload json.RawMessage) (Values, error) {
	var p httpPayload
	if err := decodePayload(protocol.TypeHTTP, payload, &p); err != nil {
		return Values{}, err
	}
	responded := p.StatusCode != nil && *p.StatusCode > 0
	v := Values{
		HTTPStatus:  when(responded, p.StatusCode),
		HTTPTotalMs: p.TotalMs,
		HTTPTTFB:    when(responded, p.FirstByteMs),
		HTTPFailure: flag(p.Error != "" || !responded || *p.StatusCode >= 400),
	}
	if p.CertificateInfo != nil {
		v.TLSExpiryDays = p.CertificateInfo.DaysUntilExpiry
	}
	return v, nil
}
