package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Three engines on one PostgreSQL schema get every order into the WMS
// between them. Needs WMSBRIDGE_POSTGRES_DSN (CI sets it when a server
// runs); skipped otherwise.
func TestEnginesShareTheWork(t *testing.T) {
	dsn := os.Getenv("WMSBRIDGE_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("WMSBRIDGE_POSTGRES_DSN not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, dsn, 3, 20, &out), out.String())
	assert.Contains(t, out.String(), "20 orders placed, 20 in the WMS")
}
