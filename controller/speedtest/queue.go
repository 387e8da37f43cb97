// Package speedtest holds the per-agent speed-test queue: operators request
// a test against a server, the agent picks it up, runs it and reports back.
package speedtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
)

// Item statuses.
const (
	Pending   = "pending"
	Running   = "running"
	Completed = "completed"
	Failed    = "failed"
	Expired   = "expired"
)

// Lifetime is how long a request waits (or runs) before it expires.
const Lifetime = 15 * time.Minute

// Item is a queued speed test.
type Item struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	AgentID     int64      `json:"agent_id"`
	ServerID    string     `json:"server_id"`
	ServerName  string     `json:"server_name"`
	Status      string     `json:"status"`
	RequestedBy int64      `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	StartedAt   *time.Time `json:"started_at"`
	CompletedAt *time.Time `json:"completed_at"`
	Error       string     `json:"error"`
}

// Update is a status change, published to panel sockets.
type Update struct {
	WorkspaceID int64  `json:"workspace_id"`
	AgentID     int64  `json:"agent_id"`
	QueueID     int64  `json:"queue_id"`
	Status      string `json:"status"`
}

// Queue is the speed-test queue service.
type Queue struct {
	db *store.DB
	// OnUpdate, when set, receives every status change after it is stored.
	OnUpdate func(Update)
}

// NewQueue returns the queue service.
func NewQueue(db *store.DB) *Queue { return &Queue{db: db} }

func (q *Queue) publish(items ...Item) {
	if q.OnUpdate == nil {
		return
	}
	for _, it := range items {
		q.OnUpdate(Update{WorkspaceID: it.WorkspaceID, AgentID: it.AgentID, QueueID: it.ID, Status: it.Status})
	}
}

const itemColumns = `id, workspace_id, agent_id, server_id, server_name, status, requested_by, requested_at, expires_at, started_at, completed_at, error`

func scanItem(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var requested, expires int64
	var started, completed sql.NullInt64
	if err := row.Scan(&it.ID, &it.WorkspaceID, &it.AgentID, &it.ServerID, &it.ServerName, &it.Status, &it.RequestedBy,
		&requested, &expires, &started, &completed, &it.Error); err != nil {
		return Item{}, err
	}
	it.RequestedAt, it.ExpiresAt = store.FromMillis(requested), store.FromMillis(expires)
	it.StartedAt, it.CompletedAt = store.FromNullMillis(started), store.FromNullMillis(completed)
	return it, nil
}

func (q *Queue) list(ctx context.Context, where string, args ...any) ([]Item, error) {
	rows, err := q.db.Query(ctx, `SELECT `+itemColumns+` FROM speedtest_queue WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list speed tests: %w", err)
	}
	defer rows.Close()
	items := []Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("scan speed test: %w", err)
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// Request queues a test of serverID for an agent (already scope-checked).
func (q *Queue) Request(ctx context.Context, workspaceID, agentID, userID int64, serverID, serverName string) (Item, error) {
	serverID, serverName = strings.TrimSpace(serverID), strings.TrimSpace(serverName)
	if serverID == "" || len(serverID) > 64 || strings.ContainsAny(serverID, " \t\r\n") {
		return Item{}, apperr.Invalidf("server_id is required: an id from the agent's speedtest-servers list")
	}
	if len(serverName) > 200 {
		return Item{}, apperr.Invalidf("server_name must be at most 200 characters")
	}
	now := store.Now()
	it := Item{WorkspaceID: workspaceID, AgentID: agentID, ServerID: serverID, ServerName: serverName, Status: Pending,
		RequestedBy: userID, RequestedAt: now, ExpiresAt: now.Add(Lifetime)}
	err := q.db.QueryRow(ctx, `INSERT INTO speedtest_queue (workspace_id, agent_id, server_id, server_name, status, requested_by, requested_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, workspaceID, agentID, serverID, serverName, Pending, userID,
		store.Millis(now), store.Millis(it.ExpiresAt)).Scan(&it.ID)
	if err != nil {
		return Item{}, fmt.Errorf("queue speed test: %w", err)
	}
	q.publish(it)
	return it, nil
}

// List returns an agent's queue, newest last.
func (q *Queue) List(ctx context.Context, workspaceID, agentID int64) ([]Item, error) {
	if err := q.Expire(ctx); err != nil {
		return nil, err
	}
	return q.list(ctx, `workspace_id = ? AND agent_id = ?`, workspaceID, agentID)
}

// Cancel deletes a queued (not yet running) test of the agent.
func (q *Queue) Cancel(ctx context.Context, workspaceID, agentID, queueID int64) error {
	items, err := q.list(ctx, `id = ? AND workspace_id = ? AND agent_id = ?`, queueID, workspaceID, agentID)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return apperr.NotFoundf("speed test %d not found for agent %d", queueID, agentID)
	}
	if items[0].Status == Running {
		return apperr.Conflictf("speed test %d is already running", queueID)
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM speedtest_queue WHERE id = ?`, queueID); err != nil {
		return fmt.Errorf("cancel speed test: %w", err)
	}
	return nil
}

// Expire marks pending and running tests past their deadline as expired.
func (q *Queue) Expire(ctx context.Context) error {
	now := store.Millis(time.Now())
	expired, err := q.list(ctx, `status IN (?, ?) AND expires_at <= ?`, Pending, Running, now)
	if err != nil || len(expired) == 0 {
		return err
	}
	for i := range expired {
		expired[i].Status = Expired
		if _, err := q.db.Exec(ctx, `UPDATE speedtest_queue SET status = ?, completed_at = ? WHERE id = ? AND status IN (?, ?)`,
			Expired, now, expired[i].ID, Pending, Running); err != nil {
			return fmt.Errorf("expire speed tests: %w", err)
		}
	}
	q.publish(expired...)
	return nil
}

// OldestPending is the server id of the agent's oldest pending test, or "".
func (q *Queue) OldestPending(ctx context.Context, agentID int64) (string, error) {
	var server string
	err := q.db.QueryRow(ctx, `SELECT server_id FROM speedtest_queue WHERE agent_id = ? AND status = ? AND expires_at > ? ORDER BY id LIMIT 1`,
		agentID, Pending, store.Millis(time.Now())).Scan(&server)
	if store.IsNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("oldest pending speed test: %w", err)
	}
	return server, nil
}

// HandOut returns the agent's pending tests as the agent should see them
// (status pending) and marks them running, so the next poll does not hand
// them out again.
func (q *Queue) HandOut(ctx context.Context, agentID int64) ([]Item, error) {
	// Every agent polls this every 30 s, so it only skips overdue tests of
	// its own; marking them expired is left to the controller's minute job
	// (and to operators' List), not repeated per poll over the whole table.
	pending, err := q.list(ctx, `agent_id = ? AND status = ? AND expires_at > ?`, agentID, Pending, store.Millis(time.Now()))
	if err != nil || len(pending) == 0 {
		return pending, err
	}
	now := store.Now()
	started := make([]Item, 0, len(pending))
	for _, it := range pending {
		res, err := q.db.Exec(ctx, `UPDATE speedtest_queue SET status = ?, started_at = ? WHERE id = ? AND status = ?`,
			Running, store.Millis(now), it.ID, Pending)
		if err != nil {
			return nil, fmt.Errorf("start speed test: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			run := it
			run.Status, run.StartedAt = Running, &now
			started = append(started, run)
		}
	}
	q.publish(started...)
	return pending, nil
}

// Finish records an agent's result for one of its tests.
func (q *Queue) Finish(ctx context.Context, agentID, queueID int64, success bool, errText string) (Item, error) {
	items, err := q.list(ctx, `id = ? AND agent_id = ?`, queueID, agentID)
	if err != nil {
		return Item{}, err
	}
	if len(items) == 0 {
		return Item{}, apperr.NotFoundf("speed test %d is not queued for this agent", queueID)
	}
	it := items[0]
	if it.Status == Completed || it.Status == Failed {
		return it, nil // a resent result changes nothing
	}
	now := store.Now()
	it.Status, it.CompletedAt = Completed, &now
	if !success {
		it.Status, it.Error = Failed, truncate(errText, 500)
	}
	if it.StartedAt == nil {
		it.StartedAt = &now
	}
	if _, err := q.db.Exec(ctx, `UPDATE speedtest_queue SET status = ?, error = ?, started_at = ?, completed_at = ? WHERE id = ?`,
		it.Status, it.Error, store.Millis(*it.StartedAt), store.Millis(now), it.ID); err != nil {
		return Item{}, fmt.Errorf("finish speed test: %w", err)
	}
	q.publish(it)
	return it, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// SaveServers stores the server list an agent reported (JSON array).
func (q *Queue) SaveServers(ctx context.Context, agentID int64, servers json.RawMessage) error {
	var list []json.RawMessage
	if err := json.Unmarshal(servers, &list); err != nil {
		return apperr.Invalidf("speedtest_servers must be a JSON array")
	}
	now := store.Millis(time.Now())
	_, err := q.db.Exec(ctx, `INSERT INTO speedtest_servers (agent_id, servers, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (agent_id) DO UPDATE SET servers = excluded.servers, updated_at = excluded.updated_at`, agentID, string(servers), now)
	if err != nil {
		return fmt.Errorf("save speed-test servers: %w", err)
	}
	return nil
}

// Servers returns the server list an agent last reported ([] when none).
func (q *Queue) Servers(ctx context.Context, agentID int64) (json.RawMessage, error) {
	var servers string
	err := q.db.QueryRow(ctx, `SELECT servers FROM speedtest_servers WHERE agent_id = ?`, agentID).Scan(&servers)
	if store.IsNoRows(err) {
		return json.RawMessage("[]"), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load speed-test servers: %w", err)
	}
	return json.RawMessage(servers), nil
}
