package inboxtest_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/webhook/inboxtest"
)

func TestMemoryInboxConformance(t *testing.T) {
	inboxtest.Run(t, func(t *testing.T) webhook.Store { return webhook.NewMemoryInbox() })
}
