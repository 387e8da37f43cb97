package store

import (
	"context"
	"fmt"
	"slices"
)

// Lock holds the rows of table with these ids until the transaction ends,
// so check-then-write sequences (quotas, duplicate checks) that start by
// locking the same row run one after the other. Rows are locked in id
// order, so transactions locking overlapping sets cannot deadlock. Missing
// rows are ignored. On SQLite every write transaction already holds the
// database's write lock from its start, so there is nothing to do.
// table must be a constant identifier, never user input.
func (t *Tx) Lock(ctx context.Context, table string, ids ...int64) error {
	if t.db.dialect != Postgres {
		return nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for _, id := range slices.Compact(sorted) {
		// FOR NO KEY UPDATE does not block inserts that reference the row by
		// foreign key, only other lockers and writers of the row.
		var got int64
		err := t.QueryRow(ctx, `SELECT id FROM `+table+` WHERE id = ? FOR NO KEY UPDATE`, id).Scan(&got)
		if err != nil && !IsNoRows(err) {
			return fmt.Errorf("lock %s %d: %w", table, id, err)
		}
	}
	return nil
}
