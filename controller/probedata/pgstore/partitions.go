package pgstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netwatcher/netwatcher/controller/probedata"
)

const (
	dayMillis       = 24 * 60 * 60 * 1000
	partitionPrefix = "probe_data_p"
)

// dayOf is t's UTC day as days since the Unix epoch.
func dayOf(t time.Time) int64 { return floorDiv(t.UnixMilli(), dayMillis) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// partitionName is the table of one UTC day, e.g. probe_data_p20261130.
func partitionName(day int64) string {
	return partitionPrefix + time.UnixMilli(day*dayMillis).UTC().Format("20060102")
}

// daysOf lists the UTC receive days of rows, plus the day after the newest
// so a partition exists before midnight comes.
func daysOf(rows []probedata.Row) []int64 {
	var days []int64
	for i := range rows {
		if d := dayOf(rows[i].ReceivedAt); !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	return append(days, slices.Max(days)+1)
}

// loadPartitions reads which day partitions exist.
func (s *Store) loadPartitions(ctx context.Context) error {
	names, err := s.partitions(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range names {
		if day, ok := parsePartition(name); ok {
			s.days[day] = true
		}
	}
	return nil
}

// partitions lists probe_data's partitions by name.
func (s *Store) partitions(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'probe_data'::regclass`)
	if err != nil {
		return nil, fmt.Errorf("list probe-data partitions: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list probe-data partitions: %w", err)
	}
	return names, nil
}

func parsePartition(name string) (int64, bool) {
	day, ok := strings.CutPrefix(name, partitionPrefix)
	if !ok {
		return 0, false
	}
	t, err := time.Parse("20060102", day)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// ensurePartitions creates the partitions of days that do not exist yet.
// A row never waits for one in the DEFAULT partition: once DEFAULT held a
// day's rows, that day's partition could not be created any more.
func (s *Store) ensurePartitions(ctx context.Context, days []int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []int64
	for _, d := range days {
		if !s.days[d] {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", ddlLock); err != nil {
			return err
		}
		for _, d := range missing {
			ddl := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF probe_data FOR VALUES FROM (%d) TO (%d)",
				partitionName(d), d*dayMillis, (d+1)*dayMillis)
			if _, err := tx.Exec(ctx, ddl); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create probe-data partitions: %w", err)
	}
	for _, d := range missing {
		s.days[d] = true
	}
	return nil
}

// uidChunk bounds each transaction that expires uids.
const uidChunk = 10000

// DeleteBefore drops the day partitions that end at or before cutoff and
// counts their rows as it goes. Rows of the day that straddles cutoff stay
// until the next day's run, when their whole partition has expired:
// retention is per day, rounded in the data's favour. Rows that landed in
// the DEFAULT partition are deleted by row. A dropped day's uids expire
// with it.
func (s *Store) DeleteBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	names, err := s.partitions(ctx)
	if err != nil {
		return 0, err
	}
	keep := dayOf(cutoff) // first day whose partition may hold rows received at or after cutoff
	var total int64
	for _, name := range names {
		day, ok := parsePartition(name)
		if !ok || day >= keep {
			continue
		}
		n, err := s.dropPartition(ctx, name)
		if err != nil {
			return total, err
		}
		total += n
		s.mu.Lock()
		delete(s.days, day)
		s.mu.Unlock()
	}
	tag, err := s.pool.Exec(ctx, "DELETE FROM probe_data_default WHERE received_ms < $1", cutoff.UnixMilli())
	if err != nil {
		return total, fmt.Errorf("probe-data retention: %w", err)
	}
	total += tag.RowsAffected()
	for {
		tag, err := s.pool.Exec(ctx, `DELETE FROM probe_data_uid WHERE ctid IN (
			SELECT ctid FROM probe_data_uid WHERE received_ms < $1 LIMIT $2)`, keep*dayMillis, uidChunk)
		if err != nil {
			return total, fmt.Errorf("expire probe-data uids: %w", err)
		}
		if tag.RowsAffected() < uidChunk {
			break
		}
	}
	if total == 0 {
		return 0, nil
	}
	return total, s.pruneSeries(ctx)
}

// dropPartition counts a partition's rows and drops it, under the DDL lock
// so two controllers do not drop the same table.
func (s *Store) dropPartition(ctx context.Context, name string) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", ddlLock); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&exists); err != nil || !exists {
			return err // another controller dropped it first
		}
		ident := pgx.Identifier{name}.Sanitize()
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+ident).Scan(&n); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DROP TABLE "+ident)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("drop probe-data partition %s: %w", name, err)
	}
	return n, nil
}
