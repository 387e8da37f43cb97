// Package agents holds monitoring agents: their registration in a
// workspace, one-time PIN bootstrap, pre-shared-key authentication and
// liveness.
package agents

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
)

// OnlineWindow is how recently an agent must have been seen to be online.
const OnlineWindow = 2 * time.Minute

// DefaultTrafficSimPort is where an agent's TRAFFICSIM server listens by default.
const DefaultTrafficSimPort = 5000

const maxNameLen = 128

// Agent is a monitoring agent (snake_case JSON, as the API reference shows).
type Agent struct {
	ID                int64           `json:"id"`
	WorkspaceID       int64           `json:"workspace_id"`
	Name              string          `json:"name"`
	Description       string          `json:"description"`
	Location          string          `json:"location"`
	PublicIPOverride  string          `json:"public_ip_override"`
	Version           string          `json:"version"`
	LastSeenAt        *time.Time      `json:"last_seen_at"`
	Online            bool            `json:"online"`
	Initialized       bool            `json:"initialized"`
	TrafficSimEnabled bool            `json:"trafficsim_enabled"`
	TrafficSimPort    int             `json:"trafficsim_port"`
	Labels            json.RawMessage `json:"labels"`
	Metadata          json.RawMessage `json:"metadata"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// Fields are the operator-editable fields; nil means "not given".
type Fields struct {
	Name              *string
	Description       *string
	Location          *string
	PublicIPOverride  *string
	Version           *string
	TrafficSimEnabled *bool
	TrafficSimPort    *int
	Labels            json.RawMessage
	Metadata          json.RawMessage
}

// apply validates f and copies the given fields onto a.
func (f Fields) apply(a *Agent) error {
	if f.Name != nil {
		name := strings.TrimSpace(*f.Name)
		if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLen {
			return apperr.Invalidf("name is required and must be 1-%d characters", maxNameLen)
		}
		a.Name = name
	}
	for _, s := range []struct {
		field string
		in    *string
		out   *string
	}{{"description", f.Description, &a.Description}, {"location", f.Location, &a.Location}, {"version", f.Version, &a.Version}} {
		if s.in == nil {
			continue
		}
		if utf8.RuneCountInString(*s.in) > 1000 {
			return apperr.Invalidf("%s must be at most 1000 characters", s.field)
		}
		*s.out = strings.TrimSpace(*s.in)
	}
	if f.PublicIPOverride != nil {
		ip := strings.TrimSpace(*f.PublicIPOverride)
		if ip != "" {
			addr, err := netip.ParseAddr(ip)
			if err != nil {
				return apperr.Invalidf("public_ip_override %q is not an IP address", ip)
			}
			ip = addr.Unmap().String()
		}
		a.PublicIPOverride = ip
	}
	if f.TrafficSimEnabled != nil {
		a.TrafficSimEnabled = *f.TrafficSimEnabled
	}
	if f.TrafficSimPort != nil {
		if *f.TrafficSimPort < 1 || *f.TrafficSimPort > 65535 {
			return apperr.Invalidf("trafficsim_port must be 1-65535")
		}
		a.TrafficSimPort = *f.TrafficSimPort
	}
	for _, j := range []struct {
		field string
		in    json.RawMessage
		out   *json.RawMessage
	}{{"labels", f.Labels, &a.Labels}, {"metadata", f.Metadata, &a.Metadata}} {
		if j.in == nil {
			continue
		}
		text, err := store.JSONObject(j.field, j.in)
		if err != nil {
			return err
		}
		*j.out = store.RawObject(text)
	}
	return nil
}

const agentColumns = `a.id, a.workspace_id, a.name, a.description, a.location, a.public_ip_override, a.version,
	a.last_seen_at, a.initialized, a.trafficsim_enabled, a.trafficsim_port, a.labels, a.metadata, a.created_at, a.updated_at`

func scanAgent(row interface{ Scan(...any) error }, now time.Time, extra ...any) (Agent, error) {
	var a Agent
	var lastSeen sql.NullInt64
	var labels, metadata string
	var created, updated int64
	dest := append([]any{&a.ID, &a.WorkspaceID, &a.Name, &a.Description, &a.Location, &a.PublicIPOverride, &a.Version,
		&lastSeen, &a.Initialized, &a.TrafficSimEnabled, &a.TrafficSimPort, &labels, &metadata, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Agent{}, err
	}
	a.LastSeenAt = store.FromNullMillis(lastSeen)
	a.Online = a.LastSeenAt != nil && now.Sub(*a.LastSeenAt) < OnlineWindow
	a.Labels, a.Metadata = store.RawObject(labels), store.RawObject(metadata)
	a.CreatedAt, a.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return a, nil
}

func notFound(workspaceID, agentID int64) error {
	return apperr.NotFoundf("agent %d not found in workspace %d", agentID, workspaceID)
}

// Get returns a live agent of the workspace.
func Get(ctx context.Context, conn store.Conn, workspaceID, agentID int64) (Agent, error) {
	a, err := scanAgent(conn.QueryRow(ctx, `SELECT `+agentColumns+` FROM agents a
		WHERE a.id = ? AND a.workspace_id = ? AND a.deleted_at IS NULL`, agentID, workspaceID), time.Now())
	if store.IsNoRows(err) {
		return Agent{}, notFound(workspaceID, agentID)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("load agent %d: %w", agentID, err)
	}
	return a, nil
}

// List returns a page of the workspace's live agents, oldest first.
func List(ctx context.Context, conn store.Conn, workspaceID int64, page store.Page) ([]Agent, int, error) {
	var total int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM agents WHERE workspace_id = ? AND deleted_at IS NULL`, workspaceID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count agents: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT `+agentColumns+` FROM agents a WHERE a.workspace_id = ? AND a.deleted_at IS NULL
		ORDER BY a.id LIMIT ? OFFSET ?`, workspaceID, page.Limit, page.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list agents: %w", err)
	}
	list, err := collect(rows)
	return list, total, err
}

// ListAll returns every live agent of the workspace (for internal use:
// probe lists, maps).
func ListAll(ctx context.Context, conn store.Conn, workspaceID int64) ([]Agent, error) {
	rows, err := conn.Query(ctx, `SELECT `+agentColumns+` FROM agents a WHERE a.workspace_id = ? AND a.deleted_at IS NULL ORDER BY a.id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return collect(rows)
}

func collect(rows *sql.Rows) ([]Agent, error) {
	defer rows.Close()
	now := time.Now()
	list := []Agent{}
	for rows.Next() {
		a, err := scanAgent(rows, now)
		if err != nil {
			return nil, fmt.Errorf("scan agent: %w", err)
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// update writes an agent's editable fields.
func update(ctx context.Context, conn store.Conn, a Agent) error {
	_, err := conn.Exec(ctx, `UPDATE agents SET name = ?, description = ?, location = ?, public_ip_override = ?, version = ?,
		trafficsim_enabled = ?, trafficsim_port = ?, labels = ?, metadata = ?, updated_at = ? WHERE id = ?`,
		a.Name, a.Description, a.Location, a.PublicIPOverride, a.Version, a.TrafficSimEnabled, a.TrafficSimPort,
		string(a.Labels), string(a.Metadata), store.Millis(a.UpdatedAt), a.ID)
	if err != nil {
		return fmt.Errorf("update agent %d: %w", a.ID, err)
	}
	return nil
}
