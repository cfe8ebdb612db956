package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"sync"
)

// ComputeSignature returns base64(HMAC-SHA256(body, secret)), the signature
// Shopify and WooCommerce send for body under secret. Use it to sign
// requests in tests.
func ComputeSignature(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ValidateSignature checks signature (the value of a signature header)
// against the raw body under each of secrets, in constant time per secret:
// the scheme of a signature that is base64(HMAC-SHA256(body, secret)), as
// Shopify and WooCommerce sign. Several secrets allow a rotation (a shop
// system may take a while to sign with a new secret, so accept the old and
// the new one meanwhile). Empty secrets are ignored. A Source that checks
// many requests keeps a [Keyring] instead.
//
// It returns nil on a match, ErrNotSigned for an empty signature,
// ErrNoSecret when no non-empty secret is given, and an error wrapping
// ErrInvalidSignature otherwise (non-base64 value, wrong length, no match).
func ValidateSignature(body []byte, signature string, secrets ...string) error {
	if signature == "" {
		return ErrNotSigned
	}
	return NewKeyring(secrets...).Verify(body, signature)
}

// Keyring holds the secrets that may sign deliveries and checks base64
// HMAC-SHA256 signatures against them (see [ValidateSignature]). It reuses
// its keyed hash states across calls, so a Source verifying every request
// keeps one per secret set. Keep it behind a pointer (as NewKeyring returns
// it): printing a struct that holds one (%v, %+v, %#v) then shows an
// address, never the key bytes; its own String and Format redact too.
//
// A Keyring is safe for concurrent use and immutable once made.
type Keyring struct {
	keys [][]byte
	// macs[i] holds HMAC-SHA256 states keyed with keys[i], reused across
	// validations: a Reset restores the keyed state without allocating or
	// hashing the key pads again.
	macs []sync.Pool
}

// NewKeyring returns a Keyring of the non-empty secrets.
func NewKeyring(secrets ...string) *Keyring {
	k := &Keyring{}
	for _, s := range secrets {
		if s != "" {
			k.keys = append(k.keys, []byte(s))
		}
	}
	k.macs = make([]sync.Pool, len(k.keys))
	return k
}

// sum writes HMAC-SHA256(body) under keys[i] into out.
func (k *Keyring) sum(i int, body []byte, out *[sha256.Size]byte) {
	m, _ := k.macs[i].Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, k.keys[i])
	} else {
		m.Reset()
	}
	m.Write(body)
	m.Sum(out[:0])
	k.macs[i].Put(m)
}

// Len returns the number of (non-empty) secrets.
func (k *Keyring) Len() int { return len(k.keys) }

// Verify checks signature, the base64 HMAC-SHA256 of body under one of the
// secrets, in constant time per secret. It returns nil on a match,
// ErrNoSecret for a Keyring without secrets, ErrNotSigned for an empty
// signature, and an error wrapping ErrInvalidSignature otherwise. Its
// errors never contain a secret or the signature.
func (k *Keyring) Verify(body []byte, signature string) error {
	if len(k.keys) == 0 {
		return ErrNoSecret
	}
	if signature == "" {
		return ErrNotSigned
	}
	if len(signature) != base64.StdEncoding.EncodedLen(sha256.Size) {
		return fmt.Errorf("%w: header has %d characters, want %d", ErrInvalidSignature,
			len(signature), base64.StdEncoding.EncodedLen(sha256.Size))
	}
	var got [sha256.Size + 1]byte // DecodedLen(44) is 33
	n, err := base64.StdEncoding.Decode(got[:], []byte(signature))
	if err != nil {
		return fmt.Errorf("%w: header is not base64", ErrInvalidSignature)
	}
	if n != sha256.Size {
		return fmt.Errorf("%w: header is %d bytes, want %d", ErrInvalidSignature, n, sha256.Size)
	}
	ok := false
	var sum [sha256.Size]byte
	for i := range k.keys {
		k.sum(i, body, &sum)
		// Check every key, so timing does not tell which one matched.
		if hmac.Equal(sum[:], got[:n]) {
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("%w: no secret matches", ErrInvalidSignature)
	}
	return nil
}

func (k *Keyring) String() string { return fmt.Sprintf("[%d secrets redacted]", len(k.keys)) }

func (k *Keyring) Format(f fmt.State, _ rune) { fmt.Fprint(f, k.String()) }
