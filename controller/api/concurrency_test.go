package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/netwatcher/netwatcher/controller/testenv"
)

// TestParallelRegistrationsSameEmail: 50 registrations of one address (in
// different spellings, each with its own password) race; exactly one wins
// and the stored account is the winner's.
func TestParallelRegistrationsSameEmail(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		const n = 50
		const email = "race@example.com"
		statuses := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				spelling := email
				if i%2 == 1 {
					spelling = " " + strings.ToUpper(email)
				}
				<-start
				r, err := env.Send(testenv.Request{Method: "POST", Path: "/auth/register",
					Body: map[string]string{"email": spelling, "password": fmt.Sprintf("password-%02d", i)}})
				if err != nil {
					errs[i] = err
					return
				}
				statuses[i] = r.Status
				if r.Status != http.StatusCreated && r.Status != http.StatusConflict {
					errs[i] = fmt.Errorf("registration %d: status %d; body %s", i, r.Status, r.Body)
				}
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i := range n {
			if errs[i] != nil {
				t.Error(errs[i])
			}
			if statuses[i] == http.StatusCreated {
				if winner >= 0 {
					t.Errorf("registrations %d and %d both got 201", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("no registration succeeded: %v", statuses)
		}
		env.Call("POST", "/auth/login", "", map[string]string{"email": email, "password": fmt.Sprintf("password-%02d", winner)}, http.StatusOK)
		loser := (winner + 1) % n
		env.Call("POST", "/auth/login", "", map[string]string{"email": email, "password": fmt.Sprintf("password-%02d", loser)}, http.StatusUnauthorized)
	})
}

// TestParallelOwnershipTransfers: the OWNER fires transfers to several
// members at once; exactly one wins, the others find the caller no longer
// OWNER, and the workspace ends with one OWNER who is its ownerId.
func TestParallelOwnershipTransfers(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		const n = 8
		owner := env.NewUser()
		id := env.NewWorkspace(owner, "Contested")
		targets := make([]testenv.User, n)
		for i := range targets {
			targets[i] = env.NewUser()
			env.AddMember(owner, id, targets[i], "USER")
		}
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				r, err := env.Send(testenv.Request{Method: "POST", Path: wsPath(id, "transfer-ownership"), Token: owner.Token,
					Body: map[string]any{"newOwnerUserId": targets[i].ID}})
				if err != nil {
					t.Error(err)
					return
				}
				statuses[i] = r.Status
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, s := range statuses {
			switch {
			case s == http.StatusOK && winner < 0:
				winner = i
			case s == http.StatusOK:
				t.Errorf("transfers %d and %d both succeeded", winner, i)
			case s != http.StatusForbidden:
				t.Errorf("transfer %d: status %d, want 200 or 403", i, s)
			}
		}
		if winner < 0 {
			t.Fatalf("no transfer succeeded: %v", statuses)
		}
		ws := env.Call("GET", wsPath(id), owner.Token, nil, http.StatusOK).Map(t)
		if num(t, ws, "ownerId") != targets[winner].ID || ws["my_role"] != "ADMIN" {
			t.Errorf("workspace after the race: %v, want ownerId %d and the old owner ADMIN", ws, targets[winner].ID)
		}
		var owners []string
		for _, m := range listOf(t, env.Call("GET", wsPath(id, "members"), owner.Token, nil, http.StatusOK)) {
			if m["role"] == "OWNER" {
				owners = append(owners, m["email"].(string))
			}
		}
		if len(owners) != 1 || owners[0] != targets[winner].Email {
			t.Errorf("OWNER members %v, want only %s", owners, targets[winner].Email)
		}
	})
}
