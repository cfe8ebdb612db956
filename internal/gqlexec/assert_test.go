package gqlexec

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The module's go.mod lacks testify's own dependency (go.yaml.in/yaml/v3),
// so importing testify fails without `go mod tidy`, which this package may
// not run. These few helpers mirror the testify calls used here.

type checker struct{ fatal bool }

var (
	assert  = checker{}
	require = checker{fatal: true}
)

func (c checker) fail(t testing.TB, msg string, args []any) bool {
	t.Helper()
	if len(args) > 0 {
		if f, ok := args[0].(string); ok {
			msg += ": " + fmt.Sprintf(f, args[1:]...)
		}
	}
	if c.fatal {
		t.Fatal(msg)
	}
	t.Error(msg)
	return false
}

func (c checker) Equal(t testing.TB, want, got any, args ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		return c.fail(t, fmt.Sprintf("not equal:\nwant: %#v\ngot:  %#v", want, got), args)
	}
	return true
}

func (c checker) True(t testing.TB, v bool, args ...any) bool {
	t.Helper()
	if !v {
		return c.fail(t, "want true", args)
	}
	return true
}

func (c checker) False(t testing.TB, v bool, args ...any) bool {
	t.Helper()
	if v {
		return c.fail(t, "want false", args)
	}
	return true
}

func (c checker) NoError(t testing.TB, err error, args ...any) bool {
	t.Helper()
	if err != nil {
		return c.fail(t, "unexpected error: "+err.Error(), args)
	}
	return true
}

func (c checker) Error(t testing.TB, err error, args ...any) bool {
	t.Helper()
	if err == nil {
		return c.fail(t, "want an error", args)
	}
	return true
}

func (c checker) ErrorIs(t testing.TB, err, target error, args ...any) bool {
	t.Helper()
	if !errors.Is(err, target) {
		return c.fail(t, fmt.Sprintf("error %v is not %v", err, target), args)
	}
	return true
}

func length(v any) int {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Array, reflect.Chan:
		return rv.Len()
	}
	return -1
}

func (c checker) Len(t testing.TB, v any, n int, args ...any) bool {
	t.Helper()
	if l := length(v); l != n {
		return c.fail(t, fmt.Sprintf("want length %d, got %d: %#v", n, l, v), args)
	}
	return true
}

func (c checker) Empty(t testing.TB, v any, args ...any) bool {
	t.Helper()
	if v != nil && !reflect.ValueOf(v).IsZero() && length(v) != 0 {
		return c.fail(t, fmt.Sprintf("want empty, got %v", v), args)
	}
	return true
}

func (c checker) Nil(t testing.TB, v any, args ...any) bool {
	t.Helper()
	if !isNil(v) && !(reflect.ValueOf(v).Kind() == reflect.Slice && reflect.ValueOf(v).IsNil()) {
		return c.fail(t, fmt.Sprintf("want nil, got %#v", v), args)
	}
	return true
}

func (c checker) Contains(t testing.TB, s, sub string, args ...any) bool {
	t.Helper()
	if !strings.Contains(s, sub) {
		return c.fail(t, fmt.Sprintf("%q does not contain %q", s, sub), args)
	}
	return true
}
