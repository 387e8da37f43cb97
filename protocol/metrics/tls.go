package metrics

import (
	"encoding/json"

	"github.com/netwatcher/netwatcher/protocol"
)

type tlsPayload struct {
	DaysUntilExpiry *float64     `json:"days_until_expiry"`
	Certificate     *certificate `json:"certificate"`
	IsExpired       bool         `json:"is_expired"`
	IsExpiringSoon  bool         `json:"is_expiring_soon"`
	Error           string       `json:"error"`
}

// extractTLS reads tls_expiry_days, only when the handshake produced a leaf
// certificate: after a failed dial deployed agents send days_until_expiry 0
// with a null certificate.
func extractTLS(payload json.RawMessage) (Values, error) {
	var p tlsPayload
	if err := decodePayload(protocol.TypeTLS, payload, &p); err != nil {
		return Values{}, err
	}
	return Values{TLSExpiryDays: when(p.Certificate != nil, p.DaysUntilExpiry)}, nil
}
