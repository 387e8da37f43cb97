package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// cleanEnv clears every NETWATCHER_* setting of the environment the tests
// run in, so only the flags and variables a test sets apply.
func cleanEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "NETWATCHER_") && !strings.HasPrefix(k, "NETWATCHER_TEST_") {
			t.Setenv(k, "")
		}
	}
}

// syncBuffer collects output written by the command's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cli runs the command in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	code = run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersionAndUsage(t *testing.T) {
	cleanEnv(t)
	if code, out, _ := cli(t, "version"); code != 0 || out != "netwatcher "+version+"\n" {
		t.Errorf("version: exit %d, output %q", code, out)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: netwatcher"},
		{[]string{"help"}, 0, "usage: netwatcher"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"user"}, 1, "user create"},
		{[]string{"user", "delete"}, 1, "user create"},
		{[]string{"serve", "extra-argument"}, 1, "extra-argument"},
		{[]string{"serve", "--no-such-flag"}, 1, "no-such-flag"},
		{[]string{"migrate", "-h"}, 0, "NETWATCHER_DATA_DIR"},
	} {
		code, _, errOut := cli(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("netwatcher %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		variable string
	}{
		{"jwt ttl", map[string]string{"NETWATCHER_JWT_TTL": "soon"}, []string{"serve"}, "NETWATCHER_JWT_TTL"},
		{"negative jwt ttl flag", nil, []string{"serve", "--jwt-ttl=-1h"}, "NETWATCHER_JWT_TTL"},
		{"rate limit", map[string]string{"NETWATCHER_AUTH_RATE_LIMIT": "lots"}, []string{"migrate"}, "NETWATCHER_AUTH_RATE_LIMIT"},
		{"negative rate limit flag", nil, []string{"serve", "--auth-rate-limit", "-1"}, "NETWATCHER_AUTH_RATE_LIMIT"},
		{"log format", map[string]string{"NETWATCHER_LOG_FORMAT": "xml"}, []string{"serve"}, "NETWATCHER_LOG_FORMAT"},
		{"log level", map[string]string{"NETWATCHER_LOG_LEVEL": "loud"}, []string{"serve"}, "NETWATCHER_LOG_LEVEL"},
		{"trusted proxies", map[string]string{"NETWATCHER_TRUSTED_PROXIES": "10.0.0.0/8,not-a-cidr"}, []string{"serve"}, "NETWATCHER_TRUSTED_PROXIES"},
		{"admin email without password", map[string]string{"NETWATCHER_ADMIN_EMAIL": "a@example.com"}, []string{"serve"}, "NETWATCHER_ADMIN_PASSWORD"},
		{"short jwt secret", map[string]string{"NETWATCHER_JWT_SECRET": "short"}, []string{"serve", "--listen", "127.0.0.1:0"}, "NETWATCHER_JWT_SECRET"},
		{"database url", map[string]string{"NETWATCHER_DATABASE_URL": "mysql://root:hunter2@db/x"}, []string{"migrate"}, "NETWATCHER_DATABASE_URL"},
		{"bad value for user create", map[string]string{"NETWATCHER_JWT_TTL": "soon"}, []string{"user", "create", "--email", "u@example.com", "--password", "long enough"}, "NETWATCHER_JWT_TTL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv("NETWATCHER_DATA_DIR", t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, errOut := cli(t, tc.args...)
			if code != 1 || !strings.Contains(errOut, tc.variable) {
				t.Errorf("exit %d, stderr %q; want exit 1 naming %s", code, errOut, tc.variable)
			}
		})
	}
}

var appliedRE = regexp.MustCompile(`(\d+) migration\(s\) applied`)

func TestMigrate(t *testing.T) {
	for _, b := range testenv.Backends {
		t.Run(string(b), func(t *testing.T) {
			cleanEnv(t)
			dir := filepath.Join(t.TempDir(), "not", "yet", "there")
			args := []string{"migrate", "--data-dir", dir, "--database-url", testenv.DatabaseURL(t, b)}
			applied := func() int {
				code, out, errOut := cli(t, args...)
				m := appliedRE.FindStringSubmatch(out)
				if code != 0 || m == nil {
					t.Fatalf("migrate: exit %d, stdout %q, stderr %q", code, out, errOut)
				}
				n, _ := strconv.Atoi(m[1])
				return n
			}
			if n := applied(); n < 1 {
				t.Errorf("first migrate applied %d migrations, want at least 1", n)
			}
			if n := applied(); n != 0 {
				t.Errorf("second migrate applied %d migrations, want 0", n)
			}
			if b == testenv.SQLite {
				if _, err := os.Stat(filepath.Join(dir, "netwatcher.db")); err != nil {
					t.Errorf("SQLite database not created in the data dir: %v", err)
				}
			}
		})
	}
}

// TestUserCreateThenServe: an operator creates a user from the command line;
// a server started on the same data (`netwatcher serve`, in-process) lets
// that user log in, keeps the generated JWT key across restarts, creates the
// NETWATCHER_ADMIN_EMAIL user, and finishes an in-flight request on shutdown.
func TestUserCreateThenServe(t *testing.T) {
	for _, b := range testenv.Backends {
		t.Run(string(b), func(t *testing.T) {
			cleanEnv(t)
			dir := t.TempDir()
			dbURL := testenv.DatabaseURL(t, b)
			t.Setenv("NETWATCHER_DATA_DIR", dir)
			t.Setenv("NETWATCHER_DATABASE_URL", dbURL)

			code, out, errOut := cli(t, "user", "create", "--email", " Op@Example.COM ", "--password", "operator pass", "--name", "Operator")
			if code != 0 || !regexp.MustCompile(`^created user \d+ <op@example.com>\n$`).MatchString(out) {
				t.Fatalf("user create: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			for _, tc := range []struct {
				args []string
				want string
			}{
				{[]string{"--email", "op@example.com", "--password", "another pass"}, "exists"},
				{[]string{"--email", "short@example.com", "--password", "short"}, "password"},
				{[]string{"--email", "not-an-email", "--password", "long enough"}, "email"},
				{[]string{"--password", "long enough"}, "--email"},
			} {
				if code, _, errOut := cli(t, append([]string{"user", "create"}, tc.args...)...); code != 1 || !strings.Contains(errOut, tc.want) {
					t.Errorf("user create %v: exit %d, stderr %q; want exit 1 mentioning %q", tc.args, code, errOut, tc.want)
				}
			}

			srv := startServe(t, "--admin-email", "root@example.com", "--admin-password", "root password")
			token := srv.login(t, "op@example.com", "operator pass")
			srv.login(t, "root@example.com", "root password")
			info, err := os.Stat(filepath.Join(dir, "jwt.key"))
			if err != nil {
				t.Fatalf("generated JWT key: %v", err)
			}
			if perm := info.Mode().Perm(); perm != 0o600 {
				t.Errorf("jwt.key mode %o, want 600", perm)
			}

			// Graceful shutdown: a request whose body is still arriving when
			// the server is told to stop is answered before it exits.
			body, finish := io.Pipe()
			answered := make(chan *http.Response, 1)
			go func() {
				req, _ := http.NewRequest("POST", srv.url+"/auth/login", body)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("in-flight request: %v", err)
				}
				answered <- resp
			}()
			if _, err := finish.Write([]byte(`{"email":"op@example.com",`)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // let the server start reading it
			srv.stop()
			select {
			case code := <-srv.exited:
				t.Fatalf("serve exited (%d) with a request in flight", code)
			case <-time.After(300 * time.Millisecond):
			}
			_, _ = finish.Write([]byte(`"password":"operator pass"}`))
			finish.Close()
			if resp := <-answered; resp == nil || resp.StatusCode != http.StatusOK {
				t.Errorf("in-flight login was not completed: %v", resp)
			} else {
				resp.Body.Close()
			}
			srv.wait(t)

			// Restarted on the same data dir, the old token is still valid.
			again := startServe(t)
			if r := again.get(t, "/auth/me", token); r.StatusCode != http.StatusOK {
				t.Errorf("token issued before the restart: status %d, want 200", r.StatusCode)
			}
			again.stop()
			again.wait(t)
		})
	}
}

type serveProcess struct {
	url    string
	cancel context.CancelFunc
	exited chan int
	stderr *syncBuffer
}

var listenRE = regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)

// startServe runs `netwatcher serve` on a free port until stopped.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &serveProcess{cancel: cancel, exited: make(chan int, 1), stderr: &syncBuffer{}}
	go func() {
		p.exited <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "info"}, args...), io.Discard, p.stderr)
	}()
	t.Cleanup(func() { cancel() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(p.stderr.String()); m != nil {
			p.url = "http://" + m[1]
			return p
		}
		select {
		case code := <-p.exited:
			t.Fatalf("serve exited with %d: %s", code, p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not report its address: %s", p.stderr.String())
	return nil
}

func (p *serveProcess) stop() { p.cancel() }

// wait checks that serve exits cleanly after stop.
func (p *serveProcess) wait(t *testing.T) {
	t.Helper()
	select {
	case code := <-p.exited:
		if code != 0 {
			t.Errorf("serve exited with %d: %s", code, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func (p *serveProcess) login(t *testing.T, email, password string) string {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	resp, err := http.Post(p.url+"/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Token == "" {
		t.Fatalf("login %s: status %d, err %v", email, resp.StatusCode, err)
	}
	return out.Token
}

func (p *serveProcess) get(t *testing.T, path, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
