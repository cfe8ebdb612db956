package credential

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Sealer encrypts the secrets of credentials before a store writes them,
// and decrypts them after it reads them (envelope encryption: the store
// keeps only ciphertext; the key stays with the Sealer). aad is
// authenticated but not encrypted: the SQL stores pass the shop's key, so
// a sealed row copied to another shop does not open. Implement it over a
// key management service (AWS KMS, Google Cloud KMS, Vault transit) or use
// [NewAESGCM] with a key the host keeps. It must be safe for concurrent
// use.
type Sealer interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, ciphertext, aad []byte) ([]byte, error)
}

// NewAESGCM returns a Sealer that encrypts with AES-GCM under key (16, 24
// or 32 bytes: AES-128, -192 or -256) and a random 96-bit nonce per
// Seal. Rotating the key means re-saving every credential: keep the key in
// the host's secret store, never in the database it protects.
func NewAESGCM(key []byte) (Sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("credential: AES-GCM key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("credential: AES-GCM: %w", err)
	}
	return aesGCM{aead}, nil
}

type aesGCM struct{ aead cipher.AEAD }

func (s aesGCM) Seal(_ context.Context, plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("credential: AES-GCM nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, aad), nil
}

func (s aesGCM) Open(_ context.Context, ciphertext, aad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(ciphertext) < n+s.aead.Overhead() {
		return nil, errors.New("credential: AES-GCM: ciphertext too short")
	}
	out, err := s.aead.Open(nil, ciphertext[:n], ciphertext[n:], aad)
	if err != nil {
		return nil, errors.New("credential: AES-GCM: the sealed secrets do not open with this key (wrong key, or the row was altered or copied from another shop)")
	}
	return out, nil
}

// String names the Sealer without its key.
func (s aesGCM) String() string { return "credential.AESGCM([REDACTED])" }

// GoString is String.
func (s aesGCM) GoString() string { return s.String() }
