package adminschema

import (
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	start := time.Now()
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("schema loaded in %v", time.Since(start))
	if s.Query == nil || s.Query.Fields.ForName("shop") == nil {
		t.Fatal("schema has no Query.shop")
	}
}

func TestValidateRejectsUnknownField(t *testing.T) {
	if _, errs := Validate("bad", `query { shop { noSuchField } }`); len(errs) == 0 {
		t.Fatal("want a validation error for an unknown field")
	}
	doc, errs := Validate("ok", `query { shop { name } }`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if d := Deprecated(doc); len(d) != 0 {
		t.Fatalf("unexpected deprecations %v", d)
	}
}

func TestDeprecatedIsReported(t *testing.T) {
	doc, errs := Validate("dep", `query { currentBulkOperation { id } }`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	d := Deprecated(doc)
	if len(d) != 1 || d[0].Path != "QueryRoot.currentBulkOperation" {
		t.Fatalf("want currentBulkOperation reported, got %v", d)
	}
}
