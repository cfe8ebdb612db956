package adminschema_test

import (
	"fmt"

	"github.com/wmsbridge/wmsbridge/internal/adminschema"
)

// Validate a document against Shopify's Admin 2026-10 schema and list the
// deprecated fields it uses.
func ExampleValidate() {
	doc, errs := adminschema.Validate("q", `query q { shop { name } currentBulkOperation { id } }`)
	fmt.Println("errors:", len(errs))
	for _, d := range adminschema.Deprecated(doc) {
		fmt.Println("deprecated:", d.Path)
	}
	// Output:
	// errors: 0
	// deprecated: QueryRoot.currentBulkOperation
}
