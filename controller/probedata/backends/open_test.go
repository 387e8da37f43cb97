package backends

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSQLite(t *testing.T) {
	dir := t.TempDir()
	explicit := filepath.Join(dir, "elsewhere", "data.db")
	for url, file := range map[string]string{
		"":                   filepath.Join(dir, FileName),
		"sqlite:" + explicit: explicit,
	} {
		s, err := Open(t.Context(), url, dir)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(file); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", url, file, err)
		}
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := Open(t.Context(), "mysql://user:secret@db/x", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "unsupported") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Open(mysql://…) = %v; want an unsupported-URL error without the password", err)
	}
}
