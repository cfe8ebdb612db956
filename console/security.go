package console

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows the console's own script, styles and
// server-sent events and nothing else: no inline script or style, no
// other origin, no framing, forms posting only to the console.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every console answer carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// localOnly answers only requests from a loopback address for a loopback
// host name; the host name check keeps pages of other sites from reaching
// a local demo through DNS rebinding.
func localOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackAddr(r.RemoteAddr) || !loopbackHost(r.Host) {
			http.Error(w, "this console runs as a local demo: open it on this machine at http://localhost or http://127.0.0.1",
				http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// crossOriginDenied answers a state change that another site's page sent
// (a cross-site form post): nothing was changed.
func (c *Console) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	c.log.LogAttrs(r.Context(), slog.LevelWarn, "console: cross-origin request refused", slog.String("path", r.URL.Path))
	c.errorPage(w, r, http.StatusForbidden,
		"This request came from another site and was refused: nothing was changed. Use the console's own buttons.")
}
