// Package auth issues and verifies user sessions (JWT + session table) and,
// for agents, one-time PINs and pre-shared keys.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

const (
	keyFileName   = "jwt.key"
	minSecretLen  = 32
	generatedSize = 32
)

// SigningKey returns the JWT signing key: secret when set, else the key kept
// in dataDir/jwt.key, generated (0600) on first use. There is no fallback
// key: a controller without either refuses to start.
func SigningKey(secret, dataDir string, log *slog.Logger) ([]byte, error) {
	if secret != "" {
		if len(secret) < minSecretLen {
			return nil, fmt.Errorf("NETWATCHER_JWT_SECRET must be at least %d characters (e.g. `openssl rand -hex 32`)", minSecretLen)
		}
		return []byte(secret), nil
	}
	path := filepath.Join(dataDir, keyFileName)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if info, statErr := os.Stat(path); statErr == nil && info.Mode().Perm()&0o077 != 0 {
			log.Warn("JWT key file was readable by others; restricting it to 0600", "path", path)
			if err := os.Chmod(path, 0o600); err != nil {
				return nil, fmt.Errorf("restrict %s to 0600: %w", path, err)
			}
		}
		key := strings.TrimSpace(string(data))
		if len(key) < minSecretLen {
			return nil, fmt.Errorf("%s holds a key shorter than %d characters; delete it to generate a new one", path, minSecretLen)
		}
		return []byte(key), nil
	case errors.Is(err, fs.ErrNotExist):
		return generateKey(path, log)
	default:
		return nil, fmt.Errorf("read JWT key: %w", err)
	}
}

func generateKey(path string, log *slog.Logger) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	raw := make([]byte, generatedSize)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate JWT key: %w", err)
	}
	key := hex.EncodeToString(raw)
	// O_EXCL: if another process created the file first, use its key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return SigningKey("", filepath.Dir(path), log)
	}
	if err != nil {
		return nil, fmt.Errorf("create JWT key file: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write JWT key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write JWT key file: %w", err)
	}
	log.Info("generated JWT signing key", "path", path)
	return []byte(key), nil
}
