-- +goose Up
CREATE TABLE speedtest_queue (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    server_id    TEXT    NOT NULL,
    server_name  TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL,
    requested_by INTEGER NOT NULL,
    requested_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    started_at   INTEGER,
    completed_at INTEGER,
    error        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX speedtest_queue_agent ON speedtest_queue (agent_id, status);

CREATE TABLE speedtest_servers (
    agent_id   INTEGER PRIMARY KEY REFERENCES agents (id),
    servers    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE speedtest_servers;
DROP TABLE speedtest_queue;
