package shopifytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSearchSyntax(t *testing.T) {
	rec := map[string][]string{
		"":           {"Classic Mug 00001"},
		"sku":        {"SIM-1", "SIM-2"},
		"status":     {"ACTIVE"},
		"updated_at": {"2026-05-01T10:00:00Z"},
		"id":         {"9007199254740993"},
		"vendor":     {"Nordlicht"},
	}
	f := func(field string) ([]string, bool) { v, ok := rec[field]; return v, ok }
	cases := map[string]bool{
		"":                                   true,
		"sku:SIM-2":                          true,
		"sku:SIM-3":                          false,
		"sku:SIM*":                           true,
		"status:active":                      true,
		"-status:active":                     false,
		"NOT status:active":                  false,
		"status:draft OR sku:SIM-1":          true,
		"status:draft sku:SIM-1":             false,
		"status:active AND vendor:nordlicht": true,
		"(status:draft OR vendor:Nordlicht) sku:SIM-2": true,
		"updated_at:>'2026-04-30T00:00:00Z'":           true,
		"updated_at:>=2026-05-01T10:00:00Z":            true,
		"updated_at:<2026-05-01":                       false,
		"updated_at:<=\"2026-05-02\"":                  true,
		"id:>9007199254740992":                         true,
		"unknown_field:x":                              true, // ignored like Shopify
		"mug":                                          true,
		"teapot":                                       false,
		"vendor:*":                                     true,
	}
	for q, want := range cases {
		assert.Equal(t, want, parseSearch(q).match(f), q)
	}
}
