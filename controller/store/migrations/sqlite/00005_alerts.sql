-- +goose Up
CREATE TABLE alert_rules (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id),
    name             TEXT    NOT NULL,
    metric           TEXT    NOT NULL,
    operator         TEXT    NOT NULL,
    threshold        REAL    NOT NULL,
    severity         TEXT    NOT NULL,
    probe_id         INTEGER REFERENCES probes (id),
    agent_id         INTEGER REFERENCES agents (id),
    for_count        INTEGER NOT NULL,
    clear_count      INTEGER NOT NULL,
    cooldown_minutes INTEGER NOT NULL,
    notify_panel     INTEGER NOT NULL,
    notify_webhook   INTEGER NOT NULL,
    webhook_url      TEXT,
    webhook_secret   TEXT,
    enabled          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    deleted_at       INTEGER
);
CREATE INDEX alert_rules_workspace ON alert_rules (workspace_id) WHERE deleted_at IS NULL;

-- (rule_id, agent_id, probe_id, result_type, target) is the evaluation state
-- key; probe_id 0 and '' stand for "none" so the key has no NULLs. At most
-- one alert per key is open, across restarts and replicas.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    rule_id         INTEGER NOT NULL REFERENCES alert_rules (id),
    agent_id        INTEGER NOT NULL REFERENCES agents (id),
    probe_id        INTEGER NOT NULL DEFAULT 0,
    result_type     TEXT    NOT NULL DEFAULT '',
    target          TEXT    NOT NULL DEFAULT '',
    probe_name      TEXT,
    probe_target    TEXT,
    agent_name      TEXT    NOT NULL,
    metric          TEXT    NOT NULL,
    value           REAL    NOT NULL,
    threshold       REAL    NOT NULL,
    severity        TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    triggered_at    INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by INTEGER REFERENCES users (id),
    resolved_at     INTEGER,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX alerts_open_key ON alerts (rule_id, agent_id, probe_id, result_type, target) WHERE resolved_at IS NULL;
CREATE INDEX alerts_workspace_time ON alerts (workspace_id, triggered_at);
CREATE INDEX alerts_resolved ON alerts (resolved_at) WHERE resolved_at IS NOT NULL;

-- Webhook outbox: one row per (alert, event), written with the alert change.
CREATE TABLE alert_notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id        INTEGER NOT NULL REFERENCES alerts (id),
    event           TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    signature       TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER
);
CREATE INDEX alert_notifications_pending ON alert_notifications (next_attempt_at) WHERE status = 'pending';

-- Every delivery attempt, as GET …/alerts/{alertId}/deliveries lists them.
CREATE TABLE alert_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id INTEGER NOT NULL REFERENCES alert_notifications (id),
    alert_id        INTEGER NOT NULL REFERENCES alerts (id),
    attempt         INTEGER NOT NULL,
    event           TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    status_code     INTEGER,
    error           TEXT,
    duration_ms     REAL    NOT NULL
);
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);

-- +goose Down
DROP TABLE alert_deliveries;
DROP TABLE alert_notifications;
DROP TABLE alerts;
DROP TABLE alert_rules;
