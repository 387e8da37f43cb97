-- +goose Up
-- One row per controller start: its id, modulo 32, is the node number in
-- probe-data ids, so replicas sharing a database never generate the same id.
CREATE TABLE replicas (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    hostname   TEXT    NOT NULL,
    started_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE replicas;
