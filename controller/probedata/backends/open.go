// Package backends opens the probe-data store that a URL
// (NETWATCHER_PROBEDATA_URL) selects. It lives apart from package
// probedata because the backends import probedata for its types.
package backends

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/netwatcher/netwatcher/controller/probedata"
	"github.com/netwatcher/netwatcher/controller/probedata/chstore"
	"github.com/netwatcher/netwatcher/controller/probedata/pgstore"
	"github.com/netwatcher/netwatcher/controller/probedata/sqlitestore"
)

// FileName is the SQLite probe-data file in the data directory, apart from
// the metadata database so ingest never blocks metadata writes.
const FileName = "probedata.db"

// Open opens the store rawURL selects: empty for SQLite in dataDir,
// sqlite:<path>, postgres:// or postgresql://, clickhouse://host:9000/db.
func Open(ctx context.Context, rawURL, dataDir string) (probedata.Store, error) {
	var (
		s   probedata.Store
		err error
	)
	switch {
	case rawURL == "":
		s, err = sqlitestore.Open(ctx, filepath.Join(dataDir, FileName))
	case strings.HasPrefix(rawURL, "sqlite:"):
		s, err = sqlitestore.Open(ctx, strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//"))
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		s, err = pgstore.Open(ctx, rawURL)
	case strings.HasPrefix(rawURL, "clickhouse://"):
		s, err = chstore.Open(ctx, rawURL)
	default:
		return nil, fmt.Errorf("unsupported probe-data URL %q: use sqlite:<path>, postgres://…, clickhouse://host:9000/db, or nothing for SQLite in the data directory", redact(rawURL))
	}
	if err != nil {
		return nil, fmt.Errorf("open probe-data store %s: %w", redact(rawURL), err)
	}
	return s, nil
}

// redact hides a URL's password.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	return u.Redacted()
}
