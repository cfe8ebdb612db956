package webhook_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestComputeSignatureKnownVector(t *testing.T) {
	// Computed independently with
	// `printf '{"id":1}' | openssl dgst -sha256 -hmac secret -binary | base64`.
	got := webhook.ComputeSignature([]byte(`{"id":1}`), "secret")
	if got != "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc=" {
		t.Fatalf("ComputeSignature = %s", got)
	}
}

func TestValidateSignatureTable(t *testing.T) {
	body := []byte(`{"id":820982911946154508,"total_price":"404.95"}`)
	good := webhook.ComputeSignature(body, testSecret)
	old := "shpss_old_secret"
	tests := []struct {
		name    string
		body    []byte
		sig     string
		secrets []string
		want    error
	}{
		{"valid", body, good, []string{testSecret}, nil},
		{"valid among several", body, good, []string{"other", testSecret}, nil},
		{"rotated: signed with old secret, both accepted", body, webhook.ComputeSignature(body, old), []string{testSecret, old}, nil},
		{"rotated: old secret no longer accepted", body, webhook.ComputeSignature(body, old), []string{testSecret}, webhook.ErrInvalidSignature},
		{"tampered body", []byte(strings.Replace(string(body), "404.95", "0.01", 1)), good, []string{testSecret}, webhook.ErrInvalidSignature},
		{"wrong secret", body, good, []string{"wrong"}, webhook.ErrInvalidSignature},
		{"missing header", body, "", []string{testSecret}, webhook.ErrNotSigned},
		{"empty body, signature of another body", nil, good, []string{testSecret}, webhook.ErrInvalidSignature},
		{"empty body, correctly signed", nil, webhook.ComputeSignature(nil, testSecret), []string{testSecret}, nil},
		{"non-base64 header", body, strings.Repeat("!", 44), []string{testSecret}, webhook.ErrInvalidSignature},
		{"hex instead of base64", body, strings.Repeat("ab", 32), []string{testSecret}, webhook.ErrInvalidSignature},
		{"truncated signature", body, good[:20], []string{testSecret}, webhook.ErrInvalidSignature},
		{"overlong signature", body, good + good, []string{testSecret}, webhook.ErrInvalidSignature},
		{"short MAC, valid base64", body, base64.StdEncoding.EncodeToString(make([]byte, 31)) + "AAAA", []string{testSecret}, webhook.ErrInvalidSignature},
		{"no secret", body, good, nil, webhook.ErrNoSecret},
		{"only empty secrets", body, good, []string{"", ""}, webhook.ErrNoSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.ValidateSignature(tc.body, tc.sig, tc.secrets...)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			for _, s := range append(tc.secrets, testSecret, old) {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q contains a secret", err)
				}
			}
			if tc.sig != "" && strings.Contains(err.Error(), tc.sig) {
				t.Fatalf("error %q contains the signature", err)
			}
		})
	}
}
