// Package workspace holds workspaces, their members and the role rules that
// decide who may do what inside one.
package workspace

import (
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// Role is a member's role in a workspace.
type Role string

// Roles from lowest to highest.
const (
	Viewer Role = "VIEWER"
	User   Role = "USER"
	Admin  Role = "ADMIN"
	Owner  Role = "OWNER"
)

var rank = map[Role]int{Viewer: 1, User: 2, Admin: 3, Owner: 4}

// AtLeast reports whether r is min or higher.
func (r Role) AtLeast(min Role) bool { return rank[r] >= rank[min] }

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToUpper(strings.TrimSpace(s)))
	if _, ok := rank[r]; !ok {
		return "", apperr.Invalidf("role %q is not one of VIEWER, USER, ADMIN, OWNER", s)
	}
	return r, nil
}

// parseAssignableRole parses a role that member endpoints may grant: every
// role but OWNER, which moves only through transfer-ownership.
func parseAssignableRole(s string) (Role, error) {
	r, err := ParseRole(s)
	if err != nil {
		return "", err
	}
	if r == Owner {
		return "", apperr.Invalidf("role OWNER cannot be assigned; use transfer-ownership")
	}
	return r, nil
}

// Require returns a Forbidden error naming min when r is below it.
func (r Role) Require(min Role) error {
	if !r.AtLeast(min) {
		return apperr.RoleRequired(string(min))
	}
	return nil
}
