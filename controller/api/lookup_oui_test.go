package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/lookup/oui"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

const parallelsJSON = `{"mac":"00:1C:42:AB:CD:EF","oui":"00-1C-42","vendor":"Parallels, Inc.","found":true}`

// Every spelling of 00:1C:42:AB:CD:EF the API accepts.
var parallelsSpellings = []string{"00:1C:42:AB:CD:EF", "00:1c:42:ab:cd:ef", "00-1C-42-AB-CD-EF", "001C42ABCDEF", "001c42abcdef", "001C.42AB.CDEF", "001c.42ab.cdef"}

// Malformed MACs: wrong lengths, mixed or misplaced separators, non-hex
// digits, EUI-64, bare OUIs, injection-looking text.
var badMACs = []string{"00:1C:42:AB:CD", "00:1C:42:AB:CD:EF:01", "00:1C:42:AB:CD:EG", "00:1C-42:AB:CD:EF", "001C42ABCDE",
	"001C.42AB.CDEF.0000", "001C42.ABCDEF", "00 1C 42 AB CD EF", "00-1C-42", "zz", "00:1C:42:AB:CD:EF;ls", "00:1C:42:AB:CD:E\n"}

func ouiPath(mac string) string { return "/lookup/oui/" + url.PathEscape(mac) }

// TestOUIDebianRegistry reads the registry of Debian's ieee-data package
// (scripts/test.sh installs it) with its MA-M and MA-S siblings.
func TestOUIDebianRegistry(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(oui.DefaultPath); err != nil {
		t.Skipf("Debian's OUI registry is not installed (apt-get install ieee-data): %v", err)
	}
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for _, mac := range parallelsSpellings {
			wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: ouiPath(mac), Token: u.Token}), http.StatusOK, parallelsJSON)
		}
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: ouiPath("70:B3:D5:F2:F1:23"), Token: u.Token}), http.StatusOK,
			`{"mac":"70:B3:D5:F2:F1:23","oui":"70-B3-D5","vendor":"TELEPLATFORMS","found":true}`) // an MA-S block
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: ouiPath("02:00:00:00:00:01"), Token: u.Token}), http.StatusOK,
			`{"mac":"02:00:00:00:00:01","oui":"02-00-00","vendor":"","found":false}`)
		for _, bad := range badMACs {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: ouiPath(bad), Token: u.Token}), http.StatusBadRequest, "not a MAC address")
		}

		// "status" is a literal route, never a MAC.
		st := env.Call("GET", "/lookup/oui/status", u.Token, nil, http.StatusOK).Map(t)
		wantKeys(t, "OUI status", st, []string{"loaded", "entry_count", "source", "updated"})
		if st["loaded"] != true || num(t, st, "entry_count") < 30000 || st["source"] != oui.DefaultPath {
			t.Errorf("status %v", st)
		}
		wantTime(t, "updated", st["updated"])
	}, testenv.WithOUIPath(oui.DefaultPath))
}

// ouiText is a registry in IEEE's text layout.
const ouiText = `OUI/MA-L                                                    Organization
company_id                                                  Organization
                                                            Address

00-1C-42   (hex)		Parallels, Inc.
001C42     (base 16)		Parallels, Inc.
				Renton  WA  98057
				US

00-00-5E   (hex)		ICANN, IANA Department
00005E     (base 16)		ICANN, IANA Department
				Los Angeles  CA  90094
				US
`

func TestOUITextRegistryAndBulk(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "oui.txt")
	if err := os.WriteFile(path, []byte(ouiText), 0o600); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		for _, mac := range parallelsSpellings {
			wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: ouiPath(mac), Token: u.Token}), http.StatusOK, parallelsJSON)
		}
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/lookup/oui/status", Token: u.Token}), http.StatusOK,
			fmt.Sprintf(`{"loaded":true,"entry_count":2,"source":%q,"updated":"2025-06-01T12:00:00Z"}`, path))

		// The reference's example, plus entries that fail alone.
		r := env.Call("POST", "/lookup/oui", u.Token, map[string]any{"macs": []string{"00:1C:42:AB:CD:EF", "00:00:5E:00:01:01", "bad", "02-00-00-00-00-01"}}, http.StatusOK)
		wantExactJSON(t, r, http.StatusOK, `{"results":[`+parallelsJSON+`,`+
			`{"mac":"00:00:5E:00:01:01","oui":"00-00-5E","vendor":"ICANN, IANA Department","found":true},`+
			`{"mac":"bad","error":"invalid MAC address"},`+
			`{"mac":"02:00:00:00:00:01","oui":"02-00-00","vendor":"","found":false}],"count":4}`)

		hundred := make([]string, 100)
		for i := range hundred {
			hundred[i] = fmt.Sprintf("00:1C:42:00:00:%02X", i)
		}
		var out struct {
			Results []map[string]any `json:"results"`
			Count   int              `json:"count"`
		}
		env.Call("POST", "/lookup/oui", u.Token, map[string]any{"macs": hundred}, http.StatusOK).JSON(t, &out)
		if out.Count != 100 || len(out.Results) != 100 || out.Results[99]["vendor"] != "Parallels, Inc." {
			t.Errorf("bulk of 100: count %d, %d results", out.Count, len(out.Results))
		}
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/lookup/oui", Token: u.Token, Body: map[string]any{"macs": append(hundred, "00:1C:42:00:01:00")}}),
			http.StatusBadRequest, "at most 100")
		for _, body := range []any{map[string]any{}, map[string]any{"macs": []string{}}, `{"macs":[true]}`, `[]`} {
			wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/lookup/oui", Token: u.Token, Body: body}), http.StatusBadRequest)
		}
	}, testenv.WithOUIPath(path))
}

// TestOUINotConfigured: NETWATCHER_OUI_PATH=none (the test default) turns
// vendor lookups off; bad input is still 400.
func TestOUINotConfigured(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		u := env.NewUser()
		wantExactJSON(t, env.Do(testenv.Request{Method: "GET", Path: "/lookup/oui/status", Token: u.Token}), http.StatusOK,
			`{"loaded":false,"entry_count":0,"source":"none","updated":null}`)
		for _, bad := range badMACs {
			wantError(t, env.Do(testenv.Request{Method: "GET", Path: ouiPath(bad), Token: u.Token}), http.StatusBadRequest, "not a MAC address")
		}
		wantError(t, env.Do(testenv.Request{Method: "POST", Path: "/lookup/oui", Token: u.Token, Body: map[string]any{"macs": []string{}}}), http.StatusBadRequest)
		for _, r := range []*testenv.Response{
			env.Do(testenv.Request{Method: "GET", Path: ouiPath("00:1C:42:AB:CD:EF"), Token: u.Token}),
			env.Do(testenv.Request{Method: "POST", Path: "/lookup/oui", Token: u.Token, Body: map[string]any{"macs": []string{"00:1C:42:AB:CD:EF"}}}),
		} {
			wantError(t, r, http.StatusServiceUnavailable, "NETWATCHER_OUI_PATH")
		}
	})
}
