package sync_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/wmsbridge/wmsbridge/"

// goListDeps returns the non-standard packages pkgs depend on (pkgs
// included).
func goListDeps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	args := []string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}
	for _, p := range pkgs {
		if !strings.Contains(p, ".") {
			p = module + p
		}
		args = append(args, p)
	}
	out, err := exec.Command(goTool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// TestEngineKnowsNoShopSystem: the engine (sync), the webhook seam and the
// warehouse model (wms) import no shop system's package, neither anything
// under shopify/ nor the Shopify client's dependencies (the GraphQL parser,
// the retrying HTTP client), so a connector for another shop system reuses
// them without pulling in Shopify.
func TestEngineKnowsNoShopSystem(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	// OpenTelemetry's metric API (and what it needs) is every reporting
	// package's, the engine's too (Config.MeterProvider), not the Shopify
	// client's own.
	shared := goListDeps(t, "go.opentelemetry.io/otel/metric", "go.opentelemetry.io/otel/metric/noop")
	var forbidden []string // the Shopify client's own third-party dependencies
	for _, dep := range goListDeps(t, "shopify") {
		if !strings.HasPrefix(dep, module) && !slices.Contains(shared, dep) {
			forbidden = append(forbidden, dep)
		}
	}
	if !slices.Contains(forbidden, "github.com/vektah/gqlparser/v2/ast") {
		t.Fatalf("the Shopify client's dependencies no longer include gqlparser; revisit this test: %v", forbidden)
	}
	for _, dep := range goListDeps(t, "sync", "webhook", "wms") {
		if strings.HasPrefix(dep, module+"shopify") || strings.HasPrefix(dep, "github.com/vektah/gqlparser") ||
			slices.Contains(forbidden, dep) {
			t.Errorf("the engine depends on %s", dep)
		}
	}
}
