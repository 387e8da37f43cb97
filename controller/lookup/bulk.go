package lookup

import "github.com/netwatcher/netwatcher/controller/apperr"

// MaxBulk is the most entries one bulk request may hold (CONTRACT §8).
const MaxBulk = 100

// checkBulk validates the size of a bulk request; its entries are checked
// one by one, so one bad entry fails only itself.
func checkBulk(field string, n int, what string) error {
	switch {
	case n == 0:
		return apperr.Invalidf("%s must list at least one %s", field, what)
	case n > MaxBulk:
		return apperr.Invalidf("%s lists %d entries; at most %d per request", field, n, MaxBulk)
	}
	return nil
}
