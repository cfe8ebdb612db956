package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The self-test: genuine deliveries are stored and dispatched to the typed
// handlers, a forged one is refused with 401 and never reaches them.
func TestSelfTest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, "127.0.0.1:0", filepath.Join(t.TempDir(), "inbox.db"), "test-secret", true, &out))
	s := out.String()
	assert.Contains(t, s, "delivery orders/create signed with the right secret: HTTP 200")
	assert.Contains(t, s, "delivery orders/create signed with the wrong secret: HTTP 401")
	assert.Contains(t, s, "order #1001 (id 820982911946154508) from jon@example.com, 1 lines, 199.00 DKK")
	assert.Contains(t, s, `product "Mug" (id 632910392) updated, 1 variants`)
	assert.Contains(t, s, "dispatched 2 stored events")
	assert.NotContains(t, s, "#forged")
}
