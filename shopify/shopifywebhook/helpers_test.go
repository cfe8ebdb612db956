package shopifywebhook_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSecret = "shpss_test_secret_0123456789abcdef"

// sampleBody returns the payload of one of Shopify's published samples,
// copied into package shopify's testdata.
func sampleBody(t testing.TB, version, topic string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "webhooks", version, topic+".meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	return meta.Response
}

// allSamples returns version/topic -> payload for every copied sample.
func allSamples(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	root := filepath.Join("..", "testdata", "webhooks")
	for _, version := range []string{"2026-04", "2026-07"} {
		files, err := filepath.Glob(filepath.Join(root, version, "*", "*.meta.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no samples for %s: %v", version, err)
		}
		for _, f := range files {
			topic := filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), ".meta.json")
			out[version+"/"+topic] = sampleBody(t, version, topic)
		}
	}
	return out
}
