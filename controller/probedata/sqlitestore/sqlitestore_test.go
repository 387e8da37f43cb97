package sqlitestore

import (
	"path/filepath"
	"testing"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/storetest"
)

func open(tb testing.TB) probedata.Store {
	tb.Helper()
	s, err := Open(tb.Context(), filepath.Join(tb.TempDir(), "probedata.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) probedata.Store { return open(t) })
}

func BenchmarkInsert(b *testing.B)    { storetest.BenchInsert(b, open) }
func BenchmarkAggregate(b *testing.B) { storetest.BenchAggregate(b, open) }

// BenchmarkInsertWithoutIndexes is the table alone: what the secondary
// indexes cost (docs/performance.md).
func BenchmarkInsertWithoutIndexes(b *testing.B) {
	storetest.BenchInsert(b, func(tb testing.TB) probedata.Store {
		s := open(tb).(*Store)
		for _, index := range []string{"probe_data_probe", "probe_data_time", "probe_data_uid"} {
			if _, err := s.write.Exec("DROP INDEX " + index); err != nil {
				tb.Fatal(err)
			}
		}
		return s
	})
}
