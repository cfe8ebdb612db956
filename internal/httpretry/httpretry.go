// Package httpretry holds the pieces of HTTP retry policy that the shop
// clients (shopify, woocommerce) share: reading Retry-After, telling errors
// that happened before a request was sent, certificate failures that no
// retry can heal, and capped exponential backoff with jitter.
package httpretry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter reads a Retry-After value: seconds ("2", "2.0") or an
// HTTP date, relative to now. Values that are negative, not numbers or more
// than a day are rejected.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) || secs > 24*3600 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// IsDialError reports whether err happened while connecting, that is before
// any byte of the request was sent.
func IsDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// IsCertError reports whether err is a TLS certificate failure, which a
// retry does not heal.
func IsCertError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	return errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr)
}

// Exponential returns a random time between half and all of
// minWait*2^attemptNum, never more than maxWait.
func Exponential(minWait, maxWait time.Duration, attemptNum int) time.Duration {
	d := float64(minWait) * math.Pow(2, float64(attemptNum))
	if d > float64(maxWait) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(maxWait)
	}
	half := d / 2
	return time.Duration(half + rand.Float64()*half)
}
