package webhook

import (
	"fmt"
	"strings"
	"testing"
)

func TestKeyringRedacts(t *testing.T) {
	const secret = "shpss_keyring_secret"
	k := NewKeyring(secret, "", "second")
	if len(k.keys) != 2 {
		t.Fatalf("%d keys, want 2 (empty ones dropped)", len(k.keys))
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out := fmt.Sprintf(verb, k)
		if strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) ||
			strings.Contains(out, fmt.Sprint([]byte(secret))) || !strings.Contains(out, "2 secrets redacted") {
			t.Errorf("%s printed %q", verb, out)
		}
	}
}
