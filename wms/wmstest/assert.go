package wmstest

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
)

// The kit checks with these few helpers instead of a assertion library, so
// a host that runs it pulls in nothing beyond the standard library.

// msg formats testify-style message arguments: a format and its arguments.
func msg(msgAndArgs []any) string {
	if len(msgAndArgs) == 0 {
		return ""
	}
	if f, ok := msgAndArgs[0].(string); ok {
		return ": " + fmt.Sprintf(f, msgAndArgs[1:]...)
	}
	return ": " + fmt.Sprint(msgAndArgs...)
}

func noError(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error %v%s", err, msg(msgAndArgs))
	}
}

func errorIs(t *testing.T, err, target error, msgAndArgs ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v does not match %v%s", err, target, msg(msgAndArgs))
	}
}

func equal(t *testing.T, want, got any, msgAndArgs ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("got  %+v\nwant %+v%s", got, want, msg(msgAndArgs))
	}
}

func isTrue(t *testing.T, cond bool, msgAndArgs ...any) {
	t.Helper()
	if !cond {
		t.Fatalf("check failed%s", msg(msgAndArgs))
	}
}

func hasLen[T any](t *testing.T, s []T, n int, msgAndArgs ...any) {
	t.Helper()
	if len(s) != n {
		t.Fatalf("length %d, want %d: %+v%s", len(s), n, s, msg(msgAndArgs))
	}
}

func sameKeys(t *testing.T, want, got []wms.Key) {
	t.Helper()
	order := func(a, b wms.Key) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) }
	want, got = slices.Clone(want), slices.Clone(got)
	slices.SortFunc(want, order)
	slices.SortFunc(got, order)
	equal(t, want, got, "missing keys")
}

// wantInvalid checks that err matches wms.ErrInvalid, skipping the test
// when the capability turns out not to be supported.
func wantInvalid(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	if errors.Is(err, wms.ErrNotSupported) {
		t.Skipf("not supported: %v", err)
	}
	errorIs(t, err, wms.ErrInvalid, msgAndArgs...)
}
