package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/socle/socle/internal/errs"
)

// argon2id parameters: OWASP's second recommended profile (19 MiB, t=2, p=1).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
	// MinPasswordLen is the shortest password accepted.
	MinPasswordLen = 10
	// keyPrefix marks Socle keys so that secret scanners can find leaked ones.
	keyPrefix = "sk_"
)

// HashPassword returns an argon2id PHC string for password.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLen {
		return "", errs.E(errs.Invalid, "password must have at least %d characters", MinPasswordLen)
	}
	if len(password) > 1024 {
		return "", errs.E(errs.Invalid, "password is too long")
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64(salt), b64(key)), nil
}

// CheckPassword reports whether password matches the PHC hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || m > 256*1024 || t > 10 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewAPIKey returns a fresh random key and its stored form (prefix and hash).
func NewAPIKey() (key string, k *APIKey, err error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", nil, fmt.Errorf("api key: %w", err)
	}
	key = keyPrefix + hex.EncodeToString(buf)
	return key, &APIKey{Prefix: key[:len(keyPrefix)+6], Hash: HashAPIKey(key)}, nil
}

// HashAPIKey is the digest under which a key is stored and looked up. Keys
// are 192-bit random, so a fast hash is enough: no dictionary to defend.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
