package sync_test

import (
	"errors"
	"io/fs"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// A marked error is its kind to errors.Is, keeps its text, and still lets
// errors.Is and errors.As find what it wraps.
func TestMarkError(t *testing.T) {
	assert.NoError(t, wmssync.MarkError(nil, wmssync.ErrUnreachable))

	cause := &net.OpError{Op: "dial", Net: "tcp", Err: fs.ErrNotExist}
	err := wmssync.MarkError(cause, wmssync.ErrUnreachable)
	assert.ErrorIs(t, err, wmssync.ErrUnreachable)
	assert.NotErrorIs(t, err, wmssync.ErrUnauthorized)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	var op *net.OpError
	assert.True(t, errors.As(err, &op))
	assert.Same(t, cause, op)
	assert.Equal(t, cause.Error(), err.Error())
}
