package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"net/http"
	"sync"
)

// ComputeSignature returns the signature Shopify sends for body under
// secret: base64(HMAC-SHA256(body, secret)). Use it to sign requests in
// tests (see also SignedHeader and NewSignedRequest).
func ComputeSignature(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ValidateSignature checks signature (the value of the HMAC header) against
// the raw body under each of secrets, in constant time per secret. Several
// secrets allow a rotation: Shopify can take an hour to sign with a new app
// secret, so accept the old and the new one meanwhile. Empty secrets are
// ignored.
//
// It returns nil on a match, ErrNotSigned for an empty signature,
// ErrNoSecret when no non-empty secret is given, and an error wrapping
// ErrInvalidSignature otherwise (non-base64 value, wrong length, no match).
func ValidateSignature(body []byte, signature string, secrets ...string) error {
	if signature == "" {
		return ErrNotSigned
	}
	return newKeyring(secrets).validate(body, signature)
}

// Verify checks the HMAC header of a delivery (X-Shopify-Hmac-Sha256, or
// shopify-hmac-sha256) against the raw body, before any JSON parsing. See
// ValidateSignature for secrets and errors.
func Verify(body []byte, h http.Header, secrets ...string) error {
	return ValidateSignature(body, header(h, HeaderHmac), secrets...)
}

// ConstructEvent verifies a delivery (see Verify) and returns its Event,
// modelled on stripe-go's webhook.ConstructEvent. Besides the errors of
// Verify it returns those of ParseEvent (ErrEmptyBody, ErrMissingHeader).
// The event keeps body without copying it.
func ConstructEvent(body []byte, h http.Header, secrets ...string) (*Event, error) {
	if err := Verify(body, h, secrets...); err != nil {
		return nil, err
	}
	return ParseEvent(h, body)
}

// keyring holds HMAC secrets. Code keeps it behind a pointer so that
// printing a struct that holds one (%v, %+v, %#v) shows an address, never
// the key bytes; its own String and Format redact too.
type keyring struct {
	keys [][]byte
	// macs[i] holds HMAC-SHA256 states keyed with keys[i], reused across
	// validations: a Reset restores the keyed state without allocating or
	// hashing the key pads again.
	macs []sync.Pool
}

func newKeyring(secrets []string) *keyring {
	k := &keyring{}
	for _, s := range secrets {
		if s != "" {
			k.keys = append(k.keys, []byte(s))
		}
	}
	k.macs = make([]sync.Pool, len(k.keys))
	return k
}

// sum writes HMAC-SHA256(body) under keys[i] into out.
func (k *keyring) sum(i int, body []byte, out *[sha256.Size]byte) {
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

func (k *keyring) validate(body []byte, signature string) error {
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

func (k *keyring) String() string { return fmt.Sprintf("[%d secrets redacted]", len(k.keys)) }

func (k *keyring) Format(f fmt.State, _ rune) { fmt.Fprint(f, k.String()) }
