package woocommerce

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecimalKeepsDigitsAndUnset(t *testing.T) {
	t.Parallel()
	var v struct {
		A, B, C, D Decimal
	}
	require.NoError(t, json.Unmarshal([]byte(`{"A":"21.99","B":"","C":12345678901234567890.123456789,"D":null}`), &v))
	assert.Equal(t, Decimal("21.99"), v.A)
	assert.Equal(t, Decimal(""), v.B)
	assert.Equal(t, Decimal("12345678901234567890.123456789"), v.C, "a JSON number is kept digit for digit")
	assert.Equal(t, Decimal(""), v.D)
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"A":"21.99","B":"","C":"12345678901234567890.123456789","D":""}`, string(out))
	assert.Error(t, json.Unmarshal([]byte(`{"A":"1e5"}`), &v))
	_, err = json.Marshal(Decimal("abc"))
	assert.Error(t, err)
	assert.Equal(t, Decimal("-9.00"), Decimal("9.00").Neg())
	assert.Equal(t, Decimal("0.30"), Decimal("0.10").Add("0.20"))
	assert.Equal(t, 0, Decimal("").Cmp("0.00"))
}

func TestNumberIsAJSONNumber(t *testing.T) {
	t.Parallel()
	var v struct {
		Q  Number
		S  *Number
		N  *Number
		St Number
	}
	require.NoError(t, json.Unmarshal([]byte(`{"Q":-2,"S":1.5,"N":null,"St":"7"}`), &v))
	assert.Equal(t, Number("-2"), v.Q)
	assert.Equal(t, Number("1.5"), *v.S)
	assert.Nil(t, v.N)
	assert.Equal(t, Number("7"), v.St)
	n, err := v.Q.Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(-2), n)
	_, err = v.S.Int64()
	assert.ErrorContains(t, err, "not a whole number")
	out, err := json.Marshal(struct {
		A Number  `json:"a"`
		B *Number `json:"b,omitempty"`
		C Number  `json:"c"`
	}{A: Int(12), C: ""})
	require.NoError(t, err)
	assert.Equal(t, `{"a":12,"c":0}`, string(out))
}

func TestTimeReadsWooCommerceDates(t *testing.T) {
	t.Parallel()
	var v struct{ A, B, C, D Time }
	require.NoError(t, json.Unmarshal([]byte(`{"A":"2017-03-23T20:01:14","B":null,"C":"2017-03-23T21:01:14+01:00","D":""}`), &v))
	assert.Equal(t, time.Date(2017, 3, 23, 20, 1, 14, 0, time.UTC), v.A.Time)
	assert.True(t, v.B.IsZero())
	assert.True(t, v.C.Equal(v.A.Time))
	assert.True(t, v.D.IsZero())
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"A":"2017-03-23T20:01:14","B":null,"C":"2017-03-23T20:01:14","D":null}`, string(out))
	assert.Error(t, json.Unmarshal([]byte(`{"A":"23/03/2017"}`), &v))
}

func TestIDAcceptsStringsAndNumbers(t *testing.T) {
	t.Parallel()
	var v []ID
	require.NoError(t, json.Unmarshal([]byte(`[1,"2","",null,9007199254740993]`), &v))
	assert.Equal(t, []ID{1, 2, 0, 0, 9007199254740993}, v, "above 2^53 without float loss")
}

func TestSignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":727,"status":"processing"}`)
	// Known answer: printf '%s' "$body" | openssl dgst -sha256 -hmac secret -binary | base64
	const want = "rsMzXfVlGyLHsLI+ivFKWGMblB6ofKyPNkCA3bBGRzY="
	assert.Equal(t, want, Sign(body, "secret"))
	assert.True(t, ValidSignature(body, want, "secret"))
	assert.False(t, ValidSignature(body, want, "other"))
	assert.False(t, ValidSignature(append(body, ' '), want, "secret"), "the raw bytes are signed")
	assert.False(t, ValidSignature(body, "not base64!", "secret"))
	assert.False(t, ValidSignature(body, Sign(body, ""), ""), "an empty secret never verifies")
}

func TestPingWebhookID(t *testing.T) {
	t.Parallel()
	id, ok := PingWebhookID(http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte("webhook_id=142"))
	assert.True(t, ok)
	assert.Equal(t, int64(142), id)
	_, ok = PingWebhookID(http.Header{"X-Wc-Webhook-Topic": {"order.updated"}}, []byte("webhook_id=142"))
	assert.False(t, ok, "a delivery is not a ping")
	_, ok = PingWebhookID(http.Header{}, []byte(`{"id":1}`))
	assert.False(t, ok)
	_, ok = PingWebhookID(http.Header{}, []byte("webhook_id=142&x=1"))
	assert.False(t, ok)
}
