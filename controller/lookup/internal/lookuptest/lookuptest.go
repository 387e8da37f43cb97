// Package lookuptest holds test support shared by the lookup packages'
// tests: waiting for background reloads and capturing their log output.
package lookuptest

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// Eventually fails the test unless cond holds within a generous deadline.
// It is a liveness check for background work, not a timing claim.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Log collects what a logger writes from any goroutine.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Logger returns a text logger writing into l.
func (l *Log) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, nil))
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Count reports how many times s was logged.
func (l *Log) Count(s string) int {
	return strings.Count(l.String(), s)
}
