-- +goose Up
CREATE TABLE agents (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id       INTEGER NOT NULL REFERENCES workspaces (id),
    name               TEXT    NOT NULL,
    description        TEXT    NOT NULL DEFAULT '',
    location           TEXT    NOT NULL DEFAULT '',
    public_ip_override TEXT    NOT NULL DEFAULT '',
    version            TEXT    NOT NULL DEFAULT '',
    last_seen_at       INTEGER,
    initialized        INTEGER NOT NULL DEFAULT 0,
    trafficsim_enabled INTEGER NOT NULL DEFAULT 0,
    trafficsim_port    INTEGER NOT NULL DEFAULT 5000,
    labels             TEXT    NOT NULL DEFAULT '{}',
    metadata           TEXT    NOT NULL DEFAULT '{}',
    psk_hash           TEXT,
    pin_hash           TEXT,
    pin_expires_at     INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    deleted_at         INTEGER
);
CREATE INDEX agents_workspace ON agents (workspace_id) WHERE deleted_at IS NULL;

CREATE TABLE probes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    type         TEXT    NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    interval_sec INTEGER NOT NULL,
    timeout_sec  INTEGER NOT NULL,
    count        INTEGER NOT NULL DEFAULT 0,
    duration_sec INTEGER NOT NULL DEFAULT 0,
    server       INTEGER NOT NULL DEFAULT 0,
    labels       TEXT    NOT NULL DEFAULT '{}',
    metadata     TEXT    NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    deleted_at   INTEGER
);
CREATE INDEX probes_agent ON probes (agent_id) WHERE deleted_at IS NULL;
CREATE INDEX probes_workspace ON probes (workspace_id) WHERE deleted_at IS NULL;

CREATE TABLE probe_targets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    probe_id   INTEGER NOT NULL REFERENCES probes (id),
    target     TEXT    NOT NULL DEFAULT '',
    agent_id   INTEGER REFERENCES agents (id),
    group_id   INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX probe_targets_probe ON probe_targets (probe_id);
CREATE INDEX probe_targets_agent ON probe_targets (agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX probe_targets_target ON probe_targets (target) WHERE target <> '';

-- +goose Down
DROP TABLE probe_targets;
DROP TABLE probes;
DROP TABLE agents;
