package lookup

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/lookup/geoip"
	"github.com/netwatcher/netwatcher/controller/lookup/oui"
	"github.com/netwatcher/netwatcher/controller/lookup/whois"
)

// The 503s of data that is not configured say what the operator sets.
var (
	errGeoIPNotConfigured = apperr.Unavailablef(geoip.ErrNotConfigured,
		"GeoIP not configured: set NETWATCHER_GEOIP_CITY, NETWATCHER_GEOIP_COUNTRY or NETWATCHER_GEOIP_ASN "+
			"to MaxMind-format .mmdb files, or put them in NETWATCHER_DATA_DIR/geoip")
	errOUINotConfigured = apperr.Unavailablef(oui.ErrNotConfigured,
		"OUI registry not loaded: set NETWATCHER_OUI_PATH to an IEEE oui.csv or oui.txt "+
			"(Debian: apt-get install ieee-data provides /usr/share/ieee-data/oui.csv)")
)

// shown quotes user input for an error message, cut to a readable length:
// bad input may be kilobytes long.
func shown(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

func geoIPError(input string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, geoip.ErrInvalidIP):
		return apperr.Invalidf("ip %s is not an IP address", shown(input))
	case errors.Is(err, geoip.ErrNotConfigured):
		return errGeoIPNotConfigured
	}
	return fmt.Errorf("geoip lookup: %w", err)
}

func ouiError(input string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, oui.ErrInvalidMAC):
		return apperr.Invalidf("mac %s is not a MAC address (use 00:1C:42:AB:CD:EF, 00-1C-42-AB-CD-EF, 001C42ABCDEF or 001c.42ab.cdef)", shown(input))
	case errors.Is(err, oui.ErrNotConfigured):
		return errOUINotConfigured
	}
	return fmt.Errorf("oui lookup: %w", err)
}

// whoisError maps a WHOIS failure: 400 for bad input, 504 when the servers
// did not answer within the timeout, 503 when one could not be reached.
func (s *Service) whoisError(input string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, whois.ErrInvalidQuery):
		return apperr.Invalidf("query %s is neither an IP address nor a domain name", shown(input))
	case errors.Is(err, context.DeadlineExceeded):
		return &apperr.Error{Kind: apperr.Timeout, Err: err,
			Msg: fmt.Sprintf("WHOIS lookup of %s timed out after %v", input, s.whoisTimeout())}
	case errors.Is(err, whois.ErrServerFailed):
		return apperr.Unavailablef(err, "%v", err)
	}
	return fmt.Errorf("whois lookup: %w", err)
}

func (s *Service) whoisTimeout() time.Duration {
	if s.whois.Timeout > 0 {
		return s.whois.Timeout
	}
	return whois.DefaultTimeout
}
