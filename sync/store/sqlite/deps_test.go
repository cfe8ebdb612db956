package sqlite_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The core packages must not pull in the database drivers: a host that
// imports shopify or webhook (or brings its own store) gets neither SQLite
// nor pgx.
func TestCorePackagesFreeOfDrivers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	core := []string{"shopify", "shopify/connector", "shopify/oauth", "credential", "webhook", "wms", "sync", "sync/memstore"}
	args := []string{"list", "-deps", "-f", "{{.ImportPath}}"}
	for _, p := range core {
		args = append(args, "github.com/wmsbridge/wmsbridge/"+p)
	}
	out, err := exec.Command(goTool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "modernc.org/") || strings.HasPrefix(dep, "github.com/jackc/") ||
			strings.HasPrefix(dep, "github.com/wmsbridge/wmsbridge/sync/store/") {
			t.Errorf("a core package depends on %s", dep)
		}
	}
}
