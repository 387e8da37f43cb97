package api

import (
	"net/http"
	"strconv"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/lookup"
)

// lookupLimited spends one of the caller's lookups per request, before
// anything else, as registration does: a blocked caller learns it at once
// whatever it sends.
func (a *API) lookupLimited(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if wait, ok := a.lookupLimit.Allow(strconv.FormatInt(session(r).User.ID, 10)); !ok {
			return tooMany(wait, "lookups")
		}
		return next(w, r)
	}
}

func (a *API) geoIPLookup(w http.ResponseWriter, r *http.Request) error {
	res, err := a.lookups.GeoIP(r.URL.Query().Get("ip"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (a *API) geoIPBulk(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		IPs []string `json:"ips"`
	}
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	items, err := a.lookups.GeoIPBulk(req.IPs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Data  []lookup.GeoIPItem `json:"data"`
		Total int                `json:"total"`
	}{items, len(items)})
}

func (a *API) geoIPStatus(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, a.lookups.GeoIPStatus())
}

func (a *API) ouiLookup(w http.ResponseWriter, r *http.Request) error {
	res, err := a.lookups.Vendor(r.PathValue("mac"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (a *API) ouiBulk(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		MACs []string `json:"macs"`
	}
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	items, err := a.lookups.VendorBulk(req.MACs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Results []lookup.VendorItem `json:"results"`
		Count   int                 `json:"count"`
	}{items, len(items)})
}

func (a *API) ouiStatus(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, a.lookups.OUIStatus())
}

// whoisLookup takes the query as query (an IP address or a domain name) or
// as ip (an IP address only); both may be given only when they agree.
func (a *API) whoisLookup(w http.ResponseWriter, r *http.Request) error {
	query, ip := r.URL.Query().Get("query"), r.URL.Query().Get("ip")
	switch {
	case query == "" && ip == "":
		return apperr.Invalidf("query parameter query (an IP address or a domain name) or ip is required")
	case query != "" && ip != "" && query != ip:
		return apperr.Invalidf("query parameters query and ip differ: give one of them")
	case query == "":
		if _, err := lookup.ParseIP(ip); err != nil {
			return apperr.Invalidf("query parameter ip must be an IP address; use query for domain names")
		}
		query = ip
	}
	res, err := a.lookups.Whois(r.Context(), query)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (a *API) combinedLookup(w http.ResponseWriter, r *http.Request) error {
	res, err := a.lookups.Combined(r.Context(), r.URL.Query().Get("ip"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// lookupIP serves users and agents alike (CONTRACT §8).
func (a *API) lookupIP(w http.ResponseWriter, r *http.Request) error {
	addr, err := lookup.ParseIP(r.PathValue("ip"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.lookups.Report(r.Context(), addr))
}
