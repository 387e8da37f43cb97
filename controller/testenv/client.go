package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// Response is a completed HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response %d %s: %v", r.Status, r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Request describes a call; Body is marshalled to JSON unless it is a
// string or []byte, which are sent as they are.
type Request struct {
	Method, Path, Token string
	Body                any
	Header              map[string]string
}

// Do performs a request against the controller, failing the test when the
// request cannot be sent.
func (e *Env) Do(req Request) *Response {
	e.t.Helper()
	r, err := e.Send(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// Send performs a request and returns transport errors instead of failing
// the test, so it is safe to call from goroutines other than the test's.
func (e *Env) Send(req Request) (*Response, error) {
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("marshal request body: %w", err)
		}
		body = bytes.NewReader(buf)
	}
	hr, err := http.NewRequest(req.Method, e.URL+req.Path, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read response: %w", req.Method, req.Path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Call performs a request and fails the test unless the status is want.
func (e *Env) Call(method, path, token string, body any, want int) *Response {
	e.t.Helper()
	r := e.Do(Request{Method: method, Path: path, Token: token, Body: body})
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// User is a registered account with its token.
type User struct {
	ID    int64
	Email string
	Token string
}

// Password is the password of every account NewUser and RegisterAs create.
const Password = "correct horse"

var userSeq atomic.Int64

// NewUser registers a fresh account.
func (e *Env) NewUser() User {
	e.t.Helper()
	email := fmt.Sprintf("user%d-%s@example.com", userSeq.Add(1), randomHex(e.t, 3))
	return e.RegisterAs(email)
}

// RegisterAs registers an account with the given email.
func (e *Env) RegisterAs(email string) User {
	e.t.Helper()
	var out struct {
		Token string `json:"token"`
		Data  struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	e.Call("POST", "/auth/register", "", map[string]any{"email": email, "password": Password, "name": "Test User"}, http.StatusCreated).JSON(e.t, &out)
	return User{ID: out.Data.ID, Email: strings.ToLower(email), Token: out.Token}
}

// NewWorkspace creates a workspace owned by owner and returns its id.
func (e *Env) NewWorkspace(owner User, name string) int64 {
	e.t.Helper()
	var ws struct {
		ID int64 `json:"id"`
	}
	e.Call("POST", "/workspaces", owner.Token, map[string]any{"name": name}, http.StatusCreated).JSON(e.t, &ws)
	return ws.ID
}

// AddMember adds a registered user to a workspace with a role and returns the member id.
func (e *Env) AddMember(admin User, workspaceID int64, u User, role string) int64 {
	e.t.Helper()
	var m struct {
		ID int64 `json:"id"`
	}
	e.Call("POST", fmt.Sprintf("/workspaces/%d/members", workspaceID), admin.Token,
		map[string]any{"email": u.Email, "role": role}, http.StatusCreated).JSON(e.t, &m)
	return m.ID
}
