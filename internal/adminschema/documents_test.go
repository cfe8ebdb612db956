package adminschema

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// moduleRoot walks up from the package directory to the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestEveryDocument validates every .graphql file of the module (outside
// testdata folders) against the Admin 2026-10 schema, fails on any deprecated
// field or argument, and checks the house rule: one operation per file, named
// after the file.
func TestEveryDocument(t *testing.T) {
	root := moduleRoot(t)
	var n int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Ext(path) != ".graphql" {
			return nil
		}
		n++
		rel, _ := filepath.Rel(root, path)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		t.Run(rel, func(t *testing.T) {
			doc, errs := Validate(rel, string(src))
			if len(errs) > 0 {
				t.Fatalf("invalid against Admin %s: %v", Version, errs)
			}
			if dep := Deprecated(doc); len(dep) > 0 {
				t.Fatalf("uses deprecated schema members: %v", dep)
			}
			if len(doc.Operations) != 1 {
				t.Fatalf("want exactly one operation, found %d", len(doc.Operations))
			}
			want := strings.TrimSuffix(filepath.Base(path), ".graphql")
			if got := doc.Operations[0].Name; got != want {
				t.Fatalf("operation is named %q, want %q (the file's name)", got, want)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d GraphQL documents", n)
}
