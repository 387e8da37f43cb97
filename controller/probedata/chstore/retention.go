package chstore

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// DeleteBefore drops the day partitions (of rows and of uids) that end at
// or before cutoff, counting the rows from the parts' metadata. Rows of the
// day straddling cutoff stay until their whole day has expired.
func (s *Store) DeleteBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	keep, _ := strconv.Atoi(cutoff.UTC().Format("20060102")) // first day that may hold rows to keep
	rows, err := s.conn.Query(ctx, `SELECT table, partition, sum(rows) FROM system.parts
		WHERE database = ? AND table IN ('probe_data', 'probe_data_uid') AND active GROUP BY table, partition`, s.db)
	if err != nil {
		return 0, fmt.Errorf("list probe-data partitions: %w", err)
	}
	type partition struct {
		table, id string
		rows      uint64
	}
	var expired []partition
	for rows.Next() {
		var p partition
		if err := rows.Scan(&p.table, &p.id, &p.rows); err != nil {
			rows.Close()
			return 0, fmt.Errorf("list probe-data partitions: %w", err)
		}
		if day, err := strconv.Atoi(p.id); err == nil && day < keep {
			expired = append(expired, p)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return 0, fmt.Errorf("list probe-data partitions: %w", err)
	}
	var total int64
	for _, p := range expired {
		// p.id is digits only (checked above): safe as a literal.
		if err := s.conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP PARTITION %s", p.table, p.id)); err != nil {
			return total, fmt.Errorf("drop probe-data partition %s of %s: %w", p.id, p.table, err)
		}
		if p.table == "probe_data" {
			total += int64(p.rows)
		}
	}
	return total, nil
}

// mutationPoll is how often DeleteWorkspace checks whether its delete
// mutation has finished.
const mutationPoll = 50 * time.Millisecond

// DeleteWorkspace deletes every row of a workspace with a mutation and
// waits until it has run (18.16 has no mutations_sync), so the rows are
// gone when it returns. Uids stay until retention: an agent belongs to one
// workspace, so they can never collide with a later row.
func (s *Store) DeleteWorkspace(ctx context.Context, workspaceID int64) error {
	if err := s.conn.Exec(ctx, "ALTER TABLE probe_data DELETE WHERE workspace_id = ?", workspaceID); err != nil {
		return fmt.Errorf("purge probe data of workspace %d: %w", workspaceID, err)
	}
	for {
		var pending uint64
		err := s.conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND table = 'probe_data' AND is_done = 0",
			s.db).Scan(&pending)
		if err != nil {
			return fmt.Errorf("purge probe data of workspace %d: %w", workspaceID, err)
		}
		if pending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("purge probe data of workspace %d: %w", workspaceID, ctx.Err())
		case <-time.After(mutationPoll):
		}
	}
}
