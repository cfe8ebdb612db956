package inboxtest_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/webhook/inboxtest"
)

// A durable inbox proves it keeps webhook.Inbox's and webhook.Queue's
// contracts (dedupe by webhook id, leases, retries, dead letters) by running
// the kit from one of its tests, with a fresh, empty store per call:
//
//	func TestMyInbox(t *testing.T) {
//		inboxtest.Run(t, func(t *testing.T) webhook.Store { return myinbox.OpenTemp(t) })
//	}
func ExampleRun() {
	testMyInbox := func(t *testing.T) {
		inboxtest.Run(t, func(t *testing.T) webhook.Store { return webhook.NewMemoryInbox() })
	}
	_ = testMyInbox // called by the test runner as TestMyInbox(t)
}
