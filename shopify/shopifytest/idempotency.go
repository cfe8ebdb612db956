package shopifytest

import (
	"encoding/json"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

// idemEntry remembers the first result of an @idempotent mutation.
type idemEntry struct {
	field  string
	args   string // canonical JSON of the coerced arguments
	result gqlexec.Object
}

// idempotentMutations must carry @idempotent(key:) (required at runtime
// since 2026-04), mapped to their user-error type ("" when the payload's
// UserError has no code field, so mismatches become top-level errors).
var idempotentMutations = map[string]string{
	"inventorySetQuantities":    "InventorySetQuantitiesUserError",
	"inventoryAdjustQuantities": "InventoryAdjustQuantitiesUserError",
	"inventoryMoveQuantities":   "InventoryMoveQuantitiesUserError",
	"inventoryActivate":         "",
	"refundCreate":              "",
}

// idempotent runs a mutation under Shopify's idempotency rules: the key is
// required; the same key with the same arguments replays the first result
// without running again; the same key with different arguments (or another
// mutation) fails with IDEMPOTENCY_KEY_PARAMETER_MISMATCH. Keys are kept for
// the life of the shop. Callers hold s.mu.
// A run that fails with an error (a malformed request) is not remembered,
// so the key stays usable.
func (s *Shop) idempotent(f *gqlexec.FieldCall, payloadType string, run func() (gqlexec.Object, error)) (any, error) {
	d, ok := f.Directives["idempotent"]
	key, _ := d["key"].(string)
	if !ok || key == "" {
		return nil, &gqlerror.Error{
			Message:    "The @idempotent directive with a non-empty key is required for " + f.Name + ".",
			Extensions: map[string]any{"code": "BAD_REQUEST", "documentation": "https://shopify.dev/docs/api/usage/idempotent-requests"},
		}
	}
	args, _ := json.Marshal(f.Args) // map keys are sorted: canonical
	if e := s.idempotency[key]; e != nil {
		if e.field == f.Name && e.args == string(args) {
			return e.result, nil
		}
		const msg = "The same idempotency key cannot be used with different operation parameters."
		if ue := idempotentMutations[f.Name]; ue != "" {
			return gqlexec.Map{Type: payloadType, Fields: map[string]any{
				"inventoryAdjustmentGroup": nil,
				"userErrors":               userErrorsOf(ue, []userError{{Message: msg, Code: "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"}}),
			}}, nil
		}
		return nil, &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"}}
	}
	res, err := run()
	if err != nil {
		return nil, err
	}
	s.idempotency[key] = &idemEntry{field: f.Name, args: string(args), result: res}
	return res, nil
}
