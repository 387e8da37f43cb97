package api

// lookupRoutes are the GeoIP, OUI, WHOIS and combined lookups (CONTRACT §8),
// open to any logged-in user. WHOIS, combined and bulk lookups count
// against the caller's lookup rate limit. /lookup/oui/status is literal, so
// ServeMux prefers it to /lookup/oui/{mac}: "status" is never read as a MAC.
func (a *API) lookupRoutes(r router) {
	r.user("GET /geoip/lookup", a.geoIPLookup)
	r.user("POST /geoip/lookup", a.lookupLimited(a.geoIPBulk))
	r.user("GET /geoip/status", a.geoIPStatus)
	r.user("GET /lookup/oui/status", a.ouiStatus)
	r.user("GET /lookup/oui/{mac}", a.ouiLookup)
	r.user("POST /lookup/oui", a.lookupLimited(a.ouiBulk))
	r.user("GET /whois/lookup", a.lookupLimited(a.whoisLookup))
	r.user("GET /lookup/combined", a.lookupLimited(a.combinedLookup))
	r.user("GET /lookup/ip/{ip}", a.lookupIP)
}
