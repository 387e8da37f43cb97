package origin

import (
	"net/http/httptest"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		policy          Policy
		origin, host    string
		listed, allowed bool
	}{
		{nil, "", "api.example", false, true}, // agents and scripts send no Origin
		{nil, "https://api.example", "api.example", false, true},
		{nil, "https://evil.example", "api.example", false, false},
		{nil, "null", "api.example", false, false},
		{Policy{"https://panel.example/"}, "https://PANEL.example", "api.example", true, true},
		{Policy{"https://panel.example"}, "https://evil.example", "api.example", false, false},
		{Policy{"*"}, "https://any.example", "api.example", true, true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "http://"+c.host+"/ws/panel", nil)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		origin, listed, allowed := c.policy.Check(r)
		if origin != c.origin || listed != c.listed || allowed != c.allowed {
			t.Errorf("%v with Origin %q: got (%q, %v, %v), want listed %v allowed %v", c.policy, c.origin, origin, listed, allowed, c.listed, c.allowed)
		}
	}
}
