package lookup

import (
	"context"

	"github.com/netwatcher/netwatcher/controller/lookup/whois"
)

// Whois answers a WHOIS query for an IP address or a domain name. The query
// is validated before anything else (400); reserved addresses are answered
// without a connection; answers come from the metadata store while fresh.
func (s *Service) Whois(ctx context.Context, query string) (whois.Result, error) {
	res, err := s.whois.Lookup(ctx, query)
	return res, s.whoisError(query, err)
}
