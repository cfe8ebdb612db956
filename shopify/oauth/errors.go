package oauth

import (
	"errors"
	"fmt"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// ErrInvalidCallback matches every *CallbackError.
var ErrInvalidCallback = errors.New("shopify/oauth: invalid callback")

// CallbackError reports why Callback (or VerifyQuery) refused a request.
// Nothing was changed: the state stays usable unless the request was
// verified and the code exchange itself failed (Err is then the token
// endpoint's *shopify.TokenError). It matches ErrInvalidCallback.
type CallbackError struct {
	// Check is the check that failed: "hmac", "timestamp", "shop",
	// "state", "parameters" or "exchange".
	Check string
	// Reason says what was wrong, in words for a log or the merchant.
	Reason string
	// Err is the cause, when there is one.
	Err error
}

func (e *CallbackError) Error() string {
	s := "shopify/oauth: install callback refused: " + e.Check + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is ErrInvalidCallback.
func (e *CallbackError) Is(target error) bool { return target == ErrInvalidCallback }

// Unwrap returns the cause.
func (e *CallbackError) Unwrap() error { return e.Err }

// AuthorizationError reports that a shop's credentials cannot be used or
// renewed any more: none are stored, the access token expired (or was
// refused) without a refresh token, or Shopify refused the refresh token
// (the app was uninstalled, or the refresh token expired unused). Only the
// merchant can repair it, by installing the app again. It matches
// shopify.ErrUnauthorized, which the Shopify connector reports to the
// engine as sync.ErrUnauthorized.
type AuthorizationError struct {
	// Shop is the shop's domain; Key the credential store's key.
	Shop, Key string
	// Reason says what happened.
	Reason string
	// Err is the cause, when there is one (a *shopify.TokenError for a
	// refused refresh).
	Err error
}

func (e *AuthorizationError) Error() string {
	s := fmt.Sprintf("shopify/oauth: shop %s: %s; the merchant must install the app again (send them to the install link)", e.Shop, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is shopify.ErrUnauthorized.
func (e *AuthorizationError) Is(target error) bool { return target == shopify.ErrUnauthorized }

// Unwrap returns the cause.
func (e *AuthorizationError) Unwrap() error { return e.Err }
