package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
)

const maxNameLen = 200

// Workspace is a tenant: agents, probes, data and alerts live inside one.
// JSON is camelCase as the API reference shows; MyRole is the caller's role.
type Workspace struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	OwnerID     int64           `json:"ownerId"`
	Description string          `json:"description"`
	Settings    json.RawMessage `json:"settings"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	MyRole      Role            `json:"my_role,omitempty"`
}

// Fields are the editable fields; nil means "not given".
type Fields struct {
	Name        *string
	Description *string
	Settings    json.RawMessage
}

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLen {
		return "", apperr.Invalidf("name is required and must be 1-%d characters", maxNameLen)
	}
	return name, nil
}

// Create makes a workspace owned by the given user, who becomes its OWNER member.
func Create(ctx context.Context, db *store.DB, ownerID int64, ownerEmail string, f Fields) (Workspace, error) {
	if f.Name == nil {
		return Workspace{}, apperr.Invalidf("name is required and must be 1-%d characters", maxNameLen)
	}
	name, err := validName(*f.Name)
	if err != nil {
		return Workspace{}, err
	}
	settings, err := store.JSONObject("settings", f.Settings)
	if err != nil {
		return Workspace{}, err
	}
	desc := ""
	if f.Description != nil {
		desc = strings.TrimSpace(*f.Description)
	}
	now := store.Now()
	ws := Workspace{Name: name, OwnerID: ownerID, Description: desc, Settings: store.RawObject(settings),
		CreatedAt: now, UpdatedAt: now, MyRole: Owner}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO workspaces (name, description, owner_id, settings, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, name, desc, ownerID, settings, store.Millis(now), store.Millis(now)).Scan(&ws.ID); err != nil {
			return fmt.Errorf("insert workspace: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO members (workspace_id, user_id, email, role, invited_at, accepted_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ws.ID, ownerID, ownerEmail, Owner, store.Millis(now), store.Millis(now), store.Millis(now), store.Millis(now))
		if err != nil {
			return fmt.Errorf("insert owner member: %w", err)
		}
		return nil
	})
	return ws, err
}

const wsColumns = `w.id, w.name, w.description, w.owner_id, w.settings, w.created_at, w.updated_at, m.role`

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var ws Workspace
	var settings string
	var created, updated int64
	if err := row.Scan(&ws.ID, &ws.Name, &ws.Description, &ws.OwnerID, &settings, &created, &updated, &ws.MyRole); err != nil {
		return Workspace{}, err
	}
	ws.Settings = store.RawObject(settings)
	ws.CreatedAt, ws.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return ws, nil
}

// notFound is the answer for missing and invisible workspaces alike, so
// non-members cannot probe which ids exist.
func notFound(id int64) error { return apperr.NotFoundf("workspace %d not found", id) }

// Access returns the workspace and the user's role in it. A deleted
// workspace, or one the user is not an accepted member of, is NotFound.
func Access(ctx context.Context, conn store.Conn, workspaceID, userID int64) (Workspace, error) {
	ws, err := scanWorkspace(conn.QueryRow(ctx, `SELECT `+wsColumns+`
		FROM workspaces w JOIN members m ON m.workspace_id = w.id
		WHERE w.id = ? AND w.deleted_at IS NULL AND m.user_id = ? AND m.accepted_at IS NOT NULL`, workspaceID, userID))
	if store.IsNoRows(err) {
		return Workspace{}, notFound(workspaceID)
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("load workspace %d: %w", workspaceID, err)
	}
	return ws, nil
}

// List returns the workspaces the user is an accepted member of, matching q
// (case-insensitive substring of name or description) when q is not empty.
func List(ctx context.Context, conn store.Conn, userID int64, q string, page store.Page) ([]Workspace, int, error) {
	where := `FROM workspaces w JOIN members m ON m.workspace_id = w.id
		WHERE m.user_id = ? AND m.accepted_at IS NOT NULL AND w.deleted_at IS NULL`
	args := []any{userID}
	if q = strings.TrimSpace(q); q != "" {
		pattern := "%" + escapeLike(strings.ToLower(q)) + "%"
		where += ` AND (LOWER(w.name) LIKE ? ESCAPE '\' OR LOWER(w.description) LIKE ? ESCAPE '\')`
		args = append(args, pattern, pattern)
	}
	var total int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count workspaces: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT `+wsColumns+` `+where+` ORDER BY w.id LIMIT ? OFFSET ?`,
		append(args, page.Limit, page.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	list := []Workspace{}
	for rows.Next() {
		ws, err := scanWorkspace(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan workspace: %w", err)
		}
		list = append(list, ws)
	}
	return list, total, rows.Err()
}

// escapeLike makes user text literal inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Update applies the given fields to the workspace ws (already access-checked).
func Update(ctx context.Context, conn store.Conn, ws Workspace, f Fields) (Workspace, error) {
	if f.Name != nil {
		name, err := validName(*f.Name)
		if err != nil {
			return Workspace{}, err
		}
		ws.Name = name
	}
	if f.Description != nil {
		ws.Description = strings.TrimSpace(*f.Description)
	}
	if f.Settings != nil {
		settings, err := store.JSONObject("settings", f.Settings)
		if err != nil {
			return Workspace{}, err
		}
		ws.Settings = store.RawObject(settings)
	}
	ws.UpdatedAt = store.Now()
	_, err := conn.Exec(ctx, `UPDATE workspaces SET name = ?, description = ?, settings = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
		ws.Name, ws.Description, string(ws.Settings), store.Millis(ws.UpdatedAt), ws.ID)
	if err != nil {
		return Workspace{}, fmt.Errorf("update workspace %d: %w", ws.ID, err)
	}
	return ws, nil
}

// Delete soft-deletes a workspace: it disappears from the API at once.
func Delete(ctx context.Context, conn store.Conn, workspaceID int64) error {
	now := store.Millis(time.Now())
	_, err := conn.Exec(ctx, `UPDATE workspaces SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`, now, now, workspaceID)
	if err != nil {
		return fmt.Errorf("delete workspace %d: %w", workspaceID, err)
	}
	return nil
}
