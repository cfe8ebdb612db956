package wms

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotSupported is returned by a method of an optional capability that the
// backend cannot perform after all, for example a wrapper that implements
// every capability interface but forwards to a WMS that lacks one. The
// engine treats it as if the backend did not implement the interface, like
// database/sql treats driver.ErrSkip. A backend must return it only before it
// has changed anything.
var ErrNotSupported = errors.New("wms: not supported")

// ErrNotFound reports that a record the call names does not exist: an
// unknown SKU, order, warehouse or purchase order. Reads return it alone;
// batch writes return a [*NotFoundError] that matches it with errors.Is.
var ErrNotFound = errors.New("wms: not found")

// ErrInvalid reports input that breaks the model's rules (an empty SKU, a
// negative quantity, a malformed decimal). Backends return a
// [*ValidationError], which matches it with errors.Is. Retrying the same
// input cannot succeed.
var ErrInvalid = errors.New("wms: invalid input")

// ValidationError describes the first rule an input breaks. Field is a path
// such as "products[3].variants[0].sku".
type ValidationError struct {
	Field  string
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("wms: invalid %s: %s", e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// prefix returns err with its field moved under path (used for batches).
func prefix(path string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		f := path
		if ve.Field != "" {
			f += "." + ve.Field
		}
		return &ValidationError{Field: f, Reason: ve.Reason}
	}
	return err
}

// NotFoundError is returned by batch writes that applied what they could but
// met keys the backend does not know, such as a stock movement for an
// unknown SKU. Every entry not listed was applied. Because batch writes are
// idempotent, the caller may retry the whole batch once the missing records
// exist. It matches [ErrNotFound] with errors.Is.
type NotFoundError struct {
	// Missing lists the unknown keys in the order they were met, without
	// duplicates.
	Missing []Key
}

// Key names one record: Kind is "sku", "warehouse", "order" ...; ID is the
// record's key of that kind.
type Key struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Error implements error.
func (e *NotFoundError) Error() string {
	const show = 5
	var b strings.Builder
	fmt.Fprintf(&b, "wms: %d unknown keys:", len(e.Missing))
	for i, k := range e.Missing {
		if i == show {
			fmt.Fprintf(&b, " and %d more", len(e.Missing)-show)
			break
		}
		fmt.Fprintf(&b, " %s %q", k.Kind, k.ID)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Add records the missing key once. It helps backends build the error while
// applying a batch.
func (e *NotFoundError) Add(kind, id string) {
	k := Key{Kind: kind, ID: id}
	for _, m := range e.Missing {
		if m == k {
			return
		}
	}
	e.Missing = append(e.Missing, k)
}

// Err returns e as an error, or nil when nothing is missing, so a backend
// can end a batch with "return missing.Err()".
func (e *NotFoundError) Err() error {
	if e == nil || len(e.Missing) == 0 {
		return nil
	}
	return e
}

// ValidateAll calls Validate on each element of items and returns the first
// error, with its field placed under name[i] ("products[3].variants[0].sku").
// Backends use it to check a whole batch before writing any of it.
func ValidateAll[T interface{ Validate() error }](name string, items []T) error {
	for i, it := range items {
		if err := it.Validate(); err != nil {
			return prefix(fmt.Sprintf("%s[%d]", name, i), err)
		}
	}
	return nil
}
