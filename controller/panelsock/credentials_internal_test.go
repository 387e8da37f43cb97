package panelsock

import (
	"net/http/httptest"
	"testing"
)

func TestCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		header, value string
		query         string
		token         string
		viaProtocol   bool
	}{
		{"authorization", "Authorization", "Bearer abc", "", "abc", false},
		{"authorization, any case", "Authorization", "bearer  abc ", "", "abc", false},
		{"query", "", "", "?token=abc", "abc", false},
		{"subprotocol", "Sec-WebSocket-Protocol", "bearer, abc", "", "abc", true},
		{"subprotocol, no space", "Sec-WebSocket-Protocol", "Bearer,abc", "", "abc", true},
		{"other subprotocol", "Sec-WebSocket-Protocol", "graphql-ws", "", "", false},
		{"bearer without token", "Sec-WebSocket-Protocol", "bearer", "", "", false},
		{"basic auth", "Authorization", "Basic abc", "", "", false},
		{"nothing", "", "", "", "", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/ws/panel"+c.query, nil)
		if c.header != "" {
			r.Header.Set(c.header, c.value)
		}
		token, via := credentials(r)
		if token != c.token || via != c.viaProtocol {
			t.Errorf("%s: got (%q, %v), want (%q, %v)", c.name, token, via, c.token, c.viaProtocol)
		}
	}
}
