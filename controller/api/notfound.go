package api

import (
	"net/http"
	"net/http/httptest"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// jsonFallbacks makes the mux's own answers JSON: an unknown path is 404
// {"error":"not found"} (never 401), a known path with the wrong method is
// 405 with an Allow header.
func jsonFallbacks(mux *http.ServeMux, a *API) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r) // sets the path values that h reads
			return
		}
		// No route matched: let the mux decide (404, 405 or a path-cleaning
		// redirect) into a recorder, then answer in JSON.
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		switch rec.Code {
		case http.StatusNotFound:
			a.writeError(w, r, apperr.NotFoundf("not found"))
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.Header().Get("Allow"))
			writeErrorBody(w, http.StatusMethodNotAllowed, apperr.New(0, "method %s not allowed for %s", r.Method, r.URL.Path))
		default:
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		}
	})
}
