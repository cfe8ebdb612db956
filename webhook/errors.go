package webhook

import (
	"errors"
	"fmt"
)

// Sentinel errors, inspectable with errors.Is. None of the errors of this
// package ever contains a secret or a signature.
var (
	// ErrNotSigned: the request carries no signature header. Handler
	// answers 401.
	ErrNotSigned = errors.New("webhook: request is not signed")
	// ErrInvalidSignature: the signature header is not valid base64 of a
	// SHA-256 MAC, or matches none of the secrets. Handler answers 401.
	ErrInvalidSignature = errors.New("webhook: invalid signature")
	// ErrNoSecret: verification was asked for without a (non-empty) secret,
	// or a source knows no secret for the shop a request names.
	ErrNoSecret = errors.New("webhook: no secret configured")
	// ErrNoSource: NewHandler was given no Source.
	ErrNoSource = errors.New("webhook: no source configured")
	// ErrMissingHeader: a signed request lacks a header needed to route or
	// deduplicate it (its topic or delivery id, say). Handler answers 400.
	ErrMissingHeader = errors.New("webhook: missing header")
	// ErrEmptyBody: a signed request has an empty body. Handler answers 400.
	ErrEmptyBody = errors.New("webhook: empty body")
	// ErrInvalidHeader: a signed request has a header whose value the
	// source does not accept (a shop domain that is not one of its shops',
	// an id longer or shaped otherwise than its ids). Handler answers 400.
	ErrInvalidHeader = errors.New("webhook: invalid header")
	// ErrNoRoute: the router has no handler for the event's topic.
	// Dispatcher treats it as permanent.
	ErrNoRoute = errors.New("webhook: no handler for topic")
	// ErrUnknownJob: Complete, Retry or Fail named a webhook id the queue
	// does not hold.
	ErrUnknownJob = errors.New("webhook: unknown job")
)

// DecodeError reports a payload that does not decode into the handler's
// payload type. It is permanent: the same bytes will not decode on a retry.
type DecodeError struct {
	Topic Topic
	Err   error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("webhook: decode %s payload: %v", e.Topic, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Permanent is true for *DecodeError, so Dispatcher fails it without retry.
func (e *DecodeError) Permanent() bool { return true }

type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() error   { return e.err }
func (e permanentError) Permanent() bool { return true }

// Permanent wraps err to tell Dispatcher that retrying cannot help (for
// example a payload your business rules reject): the event is failed at
// once instead of being retried. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, has a
// Permanent() bool method that returns true, or is ErrNoRoute.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	if errors.As(err, &p) && p.Permanent() {
		return true
	}
	return errors.Is(err, ErrNoRoute)
}
