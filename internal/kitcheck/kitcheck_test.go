package kitcheck

import (
	"os"
	"slices"
	"testing"
)

const env = "KITCHECK_SELFTEST"

// TestChild is run by TestFailures in a child process: with mode "fail"
// its subtests A and C/D fail and B passes; with "pass" all pass.
func TestChild(t *testing.T) {
	mode := os.Getenv(env)
	if mode == "" {
		t.Skip("run by TestFailures")
	}
	t.Run("A", func(t *testing.T) {
		if mode == "fail" {
			t.Error("planted")
		}
	})
	t.Run("B", func(t *testing.T) {})
	t.Run("C", func(t *testing.T) {
		t.Run("D", func(t *testing.T) {
			if mode == "fail" {
				t.Fatal("planted")
			}
		})
	})
}

func TestFailures(t *testing.T) {
	if os.Getenv(env) != "" {
		t.Skip("child process")
	}
	failed, out := Failures(t, "TestChild", env, "fail")
	if !slices.Equal(failed, []string{"A", "C/D"}) {
		t.Fatalf("failing leaf subtests %v, want [A C/D]:\n%s", failed, out)
	}
	failed, out = Failures(t, "TestChild", env, "pass")
	if len(failed) != 0 {
		t.Fatalf("a passing child reported %v:\n%s", failed, out)
	}
	Expect(t, "TestChild", env, "fail", "C/D")
}
