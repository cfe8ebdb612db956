package sync

import (
	"errors"
	"fmt"
)

// Sentinel errors, inspectable with errors.Is. No error of this package
// contains a secret: the engine never holds one.
var (
	// ErrNotFound: the shop (or another record the call names) is not
	// stored. Stores return it from reads of unknown keys.
	ErrNotFound = errors.New("sync: not found")
	// ErrInvalidSettings: settings break a rule; the error is a
	// [*SettingsError] naming the field.
	ErrInvalidSettings = errors.New("sync: invalid settings")
	// ErrUnauthorized: the shop refused the credentials. Connectors return
	// it (wrapped) from any call.
	ErrUnauthorized = errors.New("sync: shop refused the credentials")
	// ErrUnreachable: the shop could not be reached, or the address is not
	// a shop. Connectors return it (wrapped).
	ErrUnreachable = errors.New("sync: shop unreachable")
	// ErrCursorExpired: a listing cannot continue from the cursor given;
	// the engine restarts the listing from the beginning.
	ErrCursorExpired = errors.New("sync: cursor expired")
	// ErrInvalidPayload: a webhook payload does not decode. The engine
	// parks the event (dead letter) instead of retrying it.
	ErrInvalidPayload = errors.New("sync: invalid webhook payload")
	// ErrStepOrder: a setup step was started before the steps it depends
	// on are done or skipped.
	ErrStepOrder = errors.New("sync: setup step out of order")
	// ErrNotSkippable: the step cannot be skipped.
	ErrNotSkippable = errors.New("sync: setup step cannot be skipped")
	// ErrUnknownShop: a webhook event names a shop domain no settings
	// carry.
	ErrUnknownShop = errors.New("sync: unknown shop")
	// ErrStoreClosed: the Store was closed. Stores return it (wrapped)
	// from calls made after their Close; [Engine.Run] then stops and
	// returns it. Any other store error is taken as transient.
	ErrStoreClosed = errors.New("sync: store closed")
)

// SettingsError reports the first rule [Settings] break. It matches
// [ErrInvalidSettings] with errors.Is.
type SettingsError struct {
	Field  string
	Reason string
}

// Error implements error.
func (e *SettingsError) Error() string {
	return fmt.Sprintf("sync: invalid settings: %s: %s", e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidSettings) true.
func (e *SettingsError) Is(target error) bool { return target == ErrInvalidSettings }

// StepError reports a setup step that failed; it wraps the cause.
type StepError struct {
	Shop string
	Step Step
	Err  error
}

// Error implements error.
func (e *StepError) Error() string {
	return fmt.Sprintf("sync: shop %s: step %s: %v", e.Shop, e.Step, e.Err)
}

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// MarkError returns err marked as kind, one of this package's sentinels
// (such as [ErrUnauthorized] or [ErrUnreachable]): errors.Is(result, kind)
// holds, the text is err's own, and errors.Is and errors.As still find
// everything err wraps. A connector uses it to tell the engine what a
// client's error means. MarkError(nil, kind) is nil.
func MarkError(err, kind error) error {
	if err == nil {
		return nil
	}
	return &markedError{kind: kind, err: err}
}

type markedError struct {
	kind error
	err  error
}

func (e *markedError) Error() string        { return e.err.Error() }
func (e *markedError) Unwrap() error        { return e.err }
func (e *markedError) Is(target error) bool { return target == e.kind }
