package shopify

import "errors"

// ErrInvalidGID is wrapped by the errors of ParseGID and LegacyID.
var ErrInvalidGID = errors.New("shopify: invalid global ID")
