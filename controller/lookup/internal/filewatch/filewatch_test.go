package filewatch

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestStampDetectsReplacement(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "data")
	if err := os.WriteFile(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Equal(again) {
		t.Fatal("unchanged file reported as changed")
	}

	// Same size and modification time, but a new file renamed into place.
	tmp := filepath.Join(dir, "data.new")
	if err := os.WriteFile(tmp, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, first.ModTime(), first.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	replaced, err := Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if first.Equal(replaced) {
		t.Error("file renamed into place with copied size and time not detected")
	}
	if !(Stamp{}).Equal(Stamp{}) || first.Equal(Stamp{}) {
		t.Error("zero stamps must equal only each other")
	}
	if !(Stamp{}).ModTime().IsZero() {
		t.Error("zero stamp has a modification time")
	}
}

func TestStatMissingFile(t *testing.T) {
	t.Parallel()
	if _, err := Stat(filepath.Join(t.TempDir(), "missing")); !os.IsNotExist(err) {
		t.Errorf("err = %v, want not-exist", err)
	}
}

func TestPollStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	done := make(chan struct{})
	go func() {
		Poll(ctx, time.Millisecond, func() {
			if calls.Add(1) == 3 {
				cancel()
			}
		})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Poll did not return after its context was cancelled")
	}
	if calls.Load() < 3 {
		t.Errorf("check called %d times, want at least 3", calls.Load())
	}
}
