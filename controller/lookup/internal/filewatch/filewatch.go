// Package filewatch tells the lookup packages when a data file on disk was
// replaced, so GeoIP databases and the OUI registry reload without a restart.
// It polls file metadata instead of using inotify: updaters usually rename a
// new file into place, which polling sees on every platform and file system.
package filewatch

import (
	"context"
	"os"
	"time"
)

// Stamp identifies one version of a file: the same file (device and inode),
// size and modification time. Updaters that rename a fresh file into place
// change the inode even when size and time are copied over.
type Stamp struct {
	info os.FileInfo
}

// Stat returns the stamp of the file at path.
func Stat(path string) (Stamp, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Stamp{}, err
	}
	return Stamp{info: info}, nil
}

// Equal reports whether both stamps describe the same version of a file.
// Zero stamps (no file) are equal to each other.
func (s Stamp) Equal(other Stamp) bool {
	if s.info == nil || other.info == nil {
		return s.info == nil && other.info == nil
	}
	return s.info.Size() == other.info.Size() &&
		s.info.ModTime().Equal(other.info.ModTime()) &&
		os.SameFile(s.info, other.info)
}

// ModTime is the file's modification time, zero for a zero stamp.
func (s Stamp) ModTime() time.Time {
	if s.info == nil {
		return time.Time{}
	}
	return s.info.ModTime()
}

// Poll calls check every interval until ctx is done. It runs in the caller's
// goroutine, so the caller decides where it runs and cancelling ctx stops it.
func Poll(ctx context.Context, interval time.Duration, check func()) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			check()
		}
	}
}
