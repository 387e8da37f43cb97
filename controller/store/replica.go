package store

import (
	"context"
	"fmt"
	"os"
	"time"
)

// RegisterReplica records this controller start and returns its sequence
// number, from which callers derive per-replica identifiers.
func (db *DB) RegisterReplica(ctx context.Context) (int64, error) {
	host, _ := os.Hostname()
	var id int64
	if err := db.QueryRow(ctx, `INSERT INTO replicas (hostname, started_at) VALUES (?, ?) RETURNING id`,
		host, Millis(time.Now())).Scan(&id); err != nil {
		return 0, fmt.Errorf("register replica: %w", err)
	}
	return id, nil
}
