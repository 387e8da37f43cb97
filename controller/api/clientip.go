package api

import (
	"net/http"
	"net/netip"
)

// clientIP is the request's client address (see clientip.Resolver).
func (a *API) clientIP(r *http.Request) netip.Addr { return a.ips.Of(r) }
