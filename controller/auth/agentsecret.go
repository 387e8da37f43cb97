package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/big"
)

// Agent credentials. A PSK is 32 random bytes: with 256 bits of entropy a
// plain SHA-256 is a safe stored form and, unlike a keyed hash, survives a
// change of the controller's signing key. A PIN has only 6-32 digits, so it
// is stored as an HMAC keyed by a pepper derived from the signing key: a
// leaked database alone does not let anyone search the PIN space offline.

// NewPSK returns a fresh pre-shared key (64 lower-case hex characters) and
// its stored form.
func NewPSK() (psk, hash string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("generate PSK: %w", err)
	}
	psk = hex.EncodeToString(raw)
	return psk, HashPSK(psk), nil
}

// HashPSK returns the stored form of a PSK.
func HashPSK(psk string) string {
	sum := sha256.Sum256([]byte(psk))
	return hex.EncodeToString(sum[:])
}

// EqualHash compares two stored forms in constant time.
func EqualHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// PINs generates and hashes agent bootstrap PINs.
type PINs struct {
	pepper []byte
}

// NewPINs derives the PIN pepper from the controller's signing key.
func NewPINs(signingKey []byte) *PINs {
	mac := hmac.New(sha256.New, signingKey)
	mac.Write([]byte("netwatcher agent PIN pepper v1"))
	return &PINs{pepper: mac.Sum(nil)}
}

// Generate returns a PIN of n uniformly random decimal digits.
func (p *PINs) Generate(n int) (string, error) {
	digits := make([]byte, n)
	ten := big.NewInt(10)
	for i := range digits {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			return "", fmt.Errorf("generate PIN: %w", err)
		}
		digits[i] = byte('0' + d.Int64())
	}
	return string(digits), nil
}

// Hash returns the stored form of agentID's PIN; binding the agent id means
// a PIN issued for one agent can never bootstrap another.
func (p *PINs) Hash(agentID int64, pin string) string {
	mac := hmac.New(sha256.New, p.pepper)
	fmt.Fprintf(mac, "%d:%s", agentID, pin)
	return hex.EncodeToString(mac.Sum(nil))
}
