package shopifytest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
	"github.com/wmsbridge/wmsbridge/shopify"
)

// Resolver conventions: every GraphQL object type the simulator serves is a
// small struct holding the shop and a pointer into its state, implementing
// gqlexec.Object with a switch over field names. Resolvers run while the
// server holds the shop's lock (read lock for queries, write lock for
// mutations), so they read state directly and never lock. A selected field
// the simulator does not model fails with a "not simulated" field error
// rather than returning a made-up value.

func gid(resource string, id int64) string { return shopify.GID(resource, id) }

func dt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

func dtPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func legacy(id int64) string { return strconv.FormatInt(id, 10) }

// notSimulated is the error for a schema field the simulator does not model.
func notSimulated(typ, field string) error {
	return gqlexec.NewError("NOT_SIMULATED", fmt.Sprintf("shopifytest: %s.%s is not simulated", typ, field))
}

func moneyV2(amount shopify.Decimal, currency string) gqlexec.Object {
	return gqlexec.Map{Type: "MoneyV2", Fields: map[string]any{"amount": amount.String(), "currencyCode": currency}}
}

func moneyBag(amount shopify.Decimal, currency string) gqlexec.Object {
	m := moneyV2(amount, currency)
	return gqlexec.Map{Type: "MoneyBag", Fields: map[string]any{"shopMoney": m, "presentmentMoney": m}}
}

func countObj(n int) gqlexec.Object {
	return gqlexec.Map{Type: "Count", Fields: map[string]any{"count": n, "precision": "EXACT"}}
}

// countLimited implements the *Count(limit:) fields: counts above the limit
// report the limit with precision AT_LEAST.
func countLimited(f *gqlexec.FieldCall, n int) gqlexec.Object {
	if lim, ok := f.ArgInt("limit"); ok && int64(n) > lim {
		return gqlexec.Map{Type: "Count", Fields: map[string]any{"count": lim, "precision": "AT_LEAST"}}
	}
	return countObj(n)
}

// parseID parses a GID argument of the expected resource; ok is false for
// anything else (callers then answer null or a user error, like Shopify).
func parseID(v any, resource string) (int64, bool) {
	s, _ := v.(string)
	id, err := shopify.LegacyID(s, resource)
	return id, err == nil
}

// searchFilter compiles the query argument.
func searchFilter(f *gqlexec.FieldCall) searchExpr { return parseSearch(f.ArgString("query")) }

// ids collects the values of a list-of-ID argument.
func idList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func intArg(m map[string]any, k string) (int, bool) {
	switch x := m[k].(type) {
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}

func strArg(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func objList(v any) []map[string]any {
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// userErrorsOf converts user errors to objects of the given type
// ("UserError", "InventorySetQuantitiesUserError", ...). Types without a
// code field simply never select it.
func userErrorsOf(typ string, errs []userError) []gqlexec.Object {
	out := make([]gqlexec.Object, len(errs))
	for i, e := range errs {
		var field any
		if e.Field != nil {
			field = e.Field
		}
		var code any
		if e.Code != "" {
			code = e.Code
		}
		out[i] = gqlexec.Map{Type: typ, Fields: map[string]any{"field": field, "message": e.Message, "code": code}}
	}
	return out
}
