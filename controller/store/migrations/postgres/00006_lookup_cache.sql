-- +goose Up
-- WHOIS answers by normalised query (an IP address or a lower-case domain
-- name), as whois.Result JSON. Answers past expires_at are never served; a
-- background purge deletes them and bounds the table to the newest answers.
-- GeoIP and reverse DNS are cached in memory only: they are local or cheap.
CREATE TABLE whois_cache (
    query      TEXT    PRIMARY KEY,
    result     TEXT    NOT NULL,
    fetched_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX whois_cache_expires ON whois_cache (expires_at);
CREATE INDEX whois_cache_fetched ON whois_cache (fetched_at);

-- +goose Down
DROP TABLE whois_cache;
