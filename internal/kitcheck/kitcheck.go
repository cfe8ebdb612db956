// Package kitcheck proves that a conformance kit (wmstest, storetest,
// inboxtest) catches what it claims to: a kit's own tests run it against
// deliberately broken implementations, one planted bug each, in a child
// test process, and check which subtests failed.
//
// A kit fails its *testing.T, which cannot be faked from outside package
// testing, so the kit runs in a child process: the test binary runs
// itself with -test.run naming a helper test and an environment variable
// naming the broken implementation. The helper test skips when the variable
// is not set.
package kitcheck

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// failLine matches go test's "--- FAIL: TestName/sub/test (0.00s)" lines.
var failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+) \(`)

// Failures runs the top-level test named test of the current test binary
// in a child process with the environment variable env set to mode, and
// returns the leaf subtests that failed (paths below test, such as
// "Orders/Cancel"), sorted, with the child's output. The child's exit
// status must agree: a child that fails with no failing subtest (a panic, a
// build problem), or passes with one, fails t.
func Failures(t *testing.T, test, env, mode string) (failed []string, out string) {
	t.Helper()
	// The child ends with the parent test (t.Context) and on its own after
	// a timeout, so a planted bug that makes a kit loop never leaves an
	// orphan process spinning after the parent was killed.
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+regexp.QuoteMeta(test)+"$", "-test.v", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), env+"="+mode)
	b, err := cmd.CombinedOutput()
	out = string(b)
	var all []string
	for _, m := range failLine.FindAllStringSubmatch(out, -1) {
		name, ok := strings.CutPrefix(m[1], test+"/")
		if ok {
			all = append(all, name)
		}
	}
	for _, name := range all {
		leaf := !slices.ContainsFunc(all, func(o string) bool { return strings.HasPrefix(o, name+"/") })
		if leaf && !slices.Contains(failed, name) {
			failed = append(failed, name)
		}
	}
	slices.Sort(failed)
	switch {
	case err == nil && len(failed) > 0:
		t.Fatalf("%s=%s: the child passed but reported failing subtests %v:\n%s", env, mode, failed, out)
	case err != nil && len(failed) == 0:
		t.Fatalf("%s=%s: the child failed without a failing subtest (%v):\n%s", env, mode, err, out)
	}
	return failed, out
}

// Expect runs the kit as [Failures] does and fails t unless every subtest
// in want failed: the kit must catch the planted bug where it claims to.
// A bug may trip other subtests as well; those are logged, not required.
func Expect(t *testing.T, test, env, mode string, want ...string) {
	t.Helper()
	failed, out := Failures(t, test, env, mode)
	if len(failed) == 0 {
		t.Fatalf("the kit passed a broken implementation (%s); want failures in %v:\n%s", mode, want, out)
	}
	var missing []string
	for _, w := range want {
		if !slices.Contains(failed, w) {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("broken implementation %s: subtests %v did not fail (failing: %v):\n%s", mode, missing, failed, out)
	}
	t.Logf("%s: failing subtests %v", mode, failed)
}
