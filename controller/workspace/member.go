package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/users"
)

// Member is a user's (or a pending invitee's) place in a workspace. UserID
// is 0 and AcceptedAt nil while an invitation to an unknown email is pending.
type Member struct {
	ID          int64           `json:"id"`
	WorkspaceID int64           `json:"workspaceId"`
	UserID      int64           `json:"userId"`
	Email       string          `json:"email"`
	Role        Role            `json:"role"`
	Meta        json.RawMessage `json:"meta"`
	InvitedAt   time.Time       `json:"invitedAt"`
	AcceptedAt  *time.Time      `json:"acceptedAt"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
}

// Actor is the authenticated user acting in a workspace.
type Actor struct {
	UserID int64
	Email  string
	Role   Role
}

const memberColumns = `id, workspace_id, user_id, email, role, meta, invited_at, accepted_at, created_at, updated_at`

func scanMember(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var userID, accepted sql.NullInt64
	var meta string
	var invited, created, updated int64
	if err := row.Scan(&m.ID, &m.WorkspaceID, &userID, &m.Email, &m.Role, &meta, &invited, &accepted, &created, &updated); err != nil {
		return Member{}, err
	}
	m.UserID = userID.Int64
	m.Meta = store.RawObject(meta)
	m.InvitedAt, m.CreatedAt, m.UpdatedAt = store.FromMillis(invited), store.FromMillis(created), store.FromMillis(updated)
	m.AcceptedAt = store.FromNullMillis(accepted)
	return m, nil
}

// Members lists a workspace's members, accepted and pending, oldest first.
func Members(ctx context.Context, conn store.Conn, workspaceID int64) ([]Member, error) {
	rows, err := conn.Query(ctx, `SELECT `+memberColumns+` FROM members WHERE workspace_id = ? ORDER BY id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	list := []Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		list = append(list, m)
	}
	return list, rows.Err()
}

func memberByID(ctx context.Context, conn store.Conn, workspaceID, memberID int64) (Member, error) {
	m, err := scanMember(conn.QueryRow(ctx, `SELECT `+memberColumns+` FROM members WHERE id = ? AND workspace_id = ?`, memberID, workspaceID))
	if store.IsNoRows(err) {
		return Member{}, apperr.NotFoundf("member %d not found in workspace %d", memberID, workspaceID)
	}
	if err != nil {
		return Member{}, fmt.Errorf("load member %d: %w", memberID, err)
	}
	return m, nil
}

// Invite is a request to add someone to a workspace: by user id, or by email
// (a registered email joins directly; an unknown one gets a pending invite).
type Invite struct {
	UserID int64
	Email  string
	Role   string // default USER
	Meta   json.RawMessage
}

// AddMember adds or invites a member. Duplicates are a Conflict.
func AddMember(ctx context.Context, conn store.Conn, workspaceID int64, in Invite) (Member, error) {
	role := User
	if in.Role != "" {
		r, err := parseAssignableRole(in.Role)
		if err != nil {
			return Member{}, err
		}
		role = r
	}
	meta, err := store.JSONObject("meta", in.Meta)
	if err != nil {
		return Member{}, err
	}
	var user *users.User
	email := ""
	switch {
	case in.UserID > 0:
		u, err := users.ByID(ctx, conn, in.UserID)
		if apperr.Is(err, apperr.NotFound) {
			return Member{}, apperr.Invalidf("userId %d does not match any user", in.UserID)
		}
		if err != nil {
			return Member{}, err
		}
		user, email = &u, u.Email
		if in.Email != "" {
			if given, err := users.NormalizeEmail(in.Email); err != nil || given != u.Email {
				return Member{}, apperr.Invalidf("email does not belong to userId %d; give one or the other", in.UserID)
			}
		}
	case in.UserID < 0:
		return Member{}, apperr.Invalidf("userId must be a positive user id")
	case in.Email == "":
		return Member{}, apperr.Invalidf("userId or email is required")
	default:
		if email, err = users.NormalizeEmail(in.Email); err != nil {
			return Member{}, err
		}
		u, err := users.ByEmail(ctx, conn, email)
		switch {
		case err == nil:
			user = &u
		case !apperr.Is(err, apperr.NotFound):
			return Member{}, err
		}
	}
	now := store.Now()
	m := Member{WorkspaceID: workspaceID, Email: email, Role: role, Meta: store.RawObject(meta),
		InvitedAt: now, CreatedAt: now, UpdatedAt: now}
	var userID sql.NullInt64
	if user != nil {
		m.UserID = user.ID
		m.AcceptedAt = &now
		userID = sql.NullInt64{Int64: user.ID, Valid: true}
	}
	err = conn.QueryRow(ctx, `INSERT INTO members (workspace_id, user_id, email, role, meta, invited_at, accepted_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		workspaceID, userID, email, role, meta, store.Millis(now), store.NullMillis(m.AcceptedAt), store.Millis(now), store.Millis(now)).Scan(&m.ID)
	if store.IsUniqueViolation(err) {
		return Member{}, apperr.Conflictf("%s is already a member of (or invited to) this workspace", email)
	}
	if err != nil {
		return Member{}, fmt.Errorf("insert member: %w", err)
	}
	return m, nil
}

// guardTarget applies the rules for changing or removing a member: only the
// OWNER may touch an ADMIN or the OWNER (an ADMIN may still change their
// own role), and nobody can demote or remove the OWNER, because ownership
// moves only by transfer. The role is checked first, so an ADMIN learns that
// the action needs the OWNER rather than how the OWNER would fare.
func guardTarget(actor Actor, target Member, verb string) error {
	self := target.UserID != 0 && target.UserID == actor.UserID
	if (target.Role == Owner || target.Role == Admin) && actor.Role != Owner && !self {
		return apperr.RoleRequired(string(Owner))
	}
	if target.Role == Owner {
		return apperr.Invalidf("the workspace owner cannot be %s; transfer ownership first", verb)
	}
	return nil
}

// SetMemberRole changes a member's role; the actor is at least ADMIN.
func SetMemberRole(ctx context.Context, conn store.Conn, workspaceID int64, actor Actor, memberID int64, roleName string) (Member, error) {
	if roleName == "" {
		return Member{}, apperr.Invalidf("role is required")
	}
	role, err := parseAssignableRole(roleName)
	if err != nil {
		return Member{}, err
	}
	m, err := memberByID(ctx, conn, workspaceID, memberID)
	if err != nil {
		return Member{}, err
	}
	if err := guardTarget(actor, m, "re-roled"); err != nil {
		return Member{}, err
	}
	m.Role, m.UpdatedAt = role, store.Now()
	if _, err := conn.Exec(ctx, `UPDATE members SET role = ?, updated_at = ? WHERE id = ?`, role, store.Millis(m.UpdatedAt), m.ID); err != nil {
		return Member{}, fmt.Errorf("update member %d: %w", m.ID, err)
	}
	return m, nil
}

// RemoveMember removes a member (or revokes a pending invitation). Any
// member may remove themselves except the OWNER; removing someone else
// needs ADMIN.
func RemoveMember(ctx context.Context, conn store.Conn, workspaceID int64, actor Actor, memberID int64) error {
	m, err := memberByID(ctx, conn, workspaceID, memberID)
	if err != nil {
		return err
	}
	leaving := m.UserID != 0 && m.UserID == actor.UserID && m.Role != Owner
	if !leaving {
		if err := actor.Role.Require(Admin); err != nil {
			return err
		}
		if err := guardTarget(actor, m, "removed"); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, `DELETE FROM members WHERE id = ?`, m.ID); err != nil {
		return fmt.Errorf("remove member %d: %w", m.ID, err)
	}
	return nil
}

// Invitation is a pending invitation addressed to a user's email.
type Invitation struct {
	WorkspaceID   int64     `json:"workspaceId"`
	WorkspaceName string    `json:"workspaceName"`
	Role          Role      `json:"role"`
	InvitedAt     time.Time `json:"invitedAt"`
}

// Invitations lists pending invitations to email in live workspaces.
func Invitations(ctx context.Context, conn store.Conn, email string) ([]Invitation, error) {
	rows, err := conn.Query(ctx, `SELECT w.id, w.name, m.role, m.invited_at
		FROM members m JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.email = ? AND m.accepted_at IS NULL AND w.deleted_at IS NULL ORDER BY m.id`, email)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	defer rows.Close()
	list := []Invitation{}
	for rows.Next() {
		var inv Invitation
		var invited int64
		if err := rows.Scan(&inv.WorkspaceID, &inv.WorkspaceName, &inv.Role, &invited); err != nil {
			return nil, fmt.Errorf("scan invitation: %w", err)
		}
		inv.InvitedAt = store.FromMillis(invited)
		list = append(list, inv)
	}
	return list, rows.Err()
}

// AcceptInvite turns the pending invitation of user's email in the workspace
// into a membership. email, when given, must be the user's own.
func AcceptInvite(ctx context.Context, db *store.DB, workspaceID int64, user users.User, email string) (Member, error) {
	if email != "" {
		given, err := users.NormalizeEmail(email)
		if err != nil {
			return Member{}, err
		}
		if given != user.Email {
			return Member{}, apperr.Forbiddenf("an invitation can only be accepted by the account it was sent to")
		}
	}
	var m Member
	err := db.InTx(ctx, func(tx *store.Tx) error {
		// A missing or deleted workspace gets the same answer as one
		// without an invitation, so uninvited callers cannot probe ids.
		var err error
		m, err = scanMember(tx.QueryRow(ctx, `SELECT `+memberColumns+` FROM members
			WHERE workspace_id = ? AND email = ?
			AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = members.workspace_id AND w.deleted_at IS NULL)`,
			workspaceID, user.Email))
		if store.IsNoRows(err) {
			return apperr.Forbiddenf("you have no pending invitation to workspace %d", workspaceID)
		}
		if err != nil {
			return fmt.Errorf("load invitation: %w", err)
		}
		if m.AcceptedAt != nil {
			return apperr.Conflictf("you are already a member of workspace %d", workspaceID)
		}
		now := store.Now()
		m.UserID, m.AcceptedAt, m.UpdatedAt = user.ID, &now, now
		// accepted_at IS NULL: of two concurrent accepts, one wins.
		res, err := tx.Exec(ctx, `UPDATE members SET user_id = ?, accepted_at = ?, updated_at = ? WHERE id = ? AND accepted_at IS NULL`,
			user.ID, store.Millis(now), store.Millis(now), m.ID)
		if err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		if n == 0 {
			return apperr.Conflictf("you are already a member of workspace %d", workspaceID)
		}
		return nil
	})
	return m, err
}

// TransferOwnership makes newOwnerID (an accepted member) the OWNER and the
// previous owner an ADMIN, in one transaction.
func TransferOwnership(ctx context.Context, db *store.DB, ws Workspace, actor Actor, newOwnerID int64) error {
	if newOwnerID <= 0 {
		return apperr.Invalidf("newOwnerUserId is required")
	}
	if newOwnerID == actor.UserID {
		return apperr.Invalidf("you already own this workspace")
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		now := store.Millis(time.Now())
		// Demote the actor first, and only if still the OWNER: of two
		// concurrent transfers (both role-checked before this transaction)
		// exactly one wins; the row lock makes the other wait and then miss.
		res, err := tx.Exec(ctx, `UPDATE members SET role = ?, updated_at = ? WHERE workspace_id = ? AND user_id = ? AND role = ?`,
			Admin, now, ws.ID, actor.UserID, Owner)
		if err != nil {
			return fmt.Errorf("transfer ownership: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("transfer ownership: %w", err)
		}
		if n != 1 {
			return apperr.RoleRequired(string(Owner))
		}
		var memberID int64
		err = tx.QueryRow(ctx, `SELECT id FROM members WHERE workspace_id = ? AND user_id = ? AND accepted_at IS NOT NULL`,
			ws.ID, newOwnerID).Scan(&memberID)
		if store.IsNoRows(err) {
			return apperr.Invalidf("user %d is not an accepted member of this workspace", newOwnerID)
		}
		if err != nil {
			return fmt.Errorf("load new owner: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE members SET role = ?, updated_at = ? WHERE id = ?`, Owner, now, memberID); err != nil {
			return fmt.Errorf("transfer ownership: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET owner_id = ?, updated_at = ? WHERE id = ?`, newOwnerID, now, ws.ID); err != nil {
			return fmt.Errorf("transfer ownership: %w", err)
		}
		return nil
	})
}
