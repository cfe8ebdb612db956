package credential

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Errors, inspectable with errors.Is.
var (
	// ErrNotFound: no credentials are stored for the shop.
	ErrNotFound = errors.New("credential: not found")
	// ErrConflict: SaveCredentials found another revision stored than the
	// one the credentials were loaded at (another writer saved first).
	ErrConflict = errors.New("credential: revision conflict")
)

// Credentials are one shop's API credentials.
//
// Formatting them (fmt's %v, %+v, %#v, %s, %q), logging them with
// log/slog, encoding them with encoding/json or calling String never shows
// AccessToken or RefreshToken.
type Credentials struct {
	// Shop is the key the host stores the credentials under: the engine's
	// shop id (Settings.Shop), or the shop's domain. Required.
	Shop string
	// AccessToken authenticates API calls. Required.
	AccessToken string
	// Scope is the comma-separated list of granted access scopes.
	Scope string
	// Expiry is when AccessToken stops working; zero means never.
	Expiry time.Time
	// RefreshToken renews AccessToken; "" when it cannot be renewed.
	RefreshToken string
	// RefreshExpiry is when RefreshToken stops working; zero means
	// unknown or never.
	RefreshExpiry time.Time
	// Revision is set by LoadCredentials: the stored revision, at least 1.
	// SaveCredentials stores only over this revision (0: nothing stored).
	Revision int64
}

const redacted = "[REDACTED]"

// ExpiresWithin reports whether the access token is empty or expires
// before now+d. Credentials without an Expiry never expire.
func (c Credentials) ExpiresWithin(now time.Time, d time.Duration) bool {
	if c.AccessToken == "" {
		return true
	}
	return !c.Expiry.IsZero() && !now.Add(d).Before(c.Expiry)
}

// Scopes returns Scope split at its commas, without blanks.
func (c Credentials) Scopes() []string {
	var out []string
	for _, s := range strings.Split(c.Scope, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// String describes the credentials without their secrets.
func (c Credentials) String() string {
	var b strings.Builder
	b.WriteString("credential.Credentials{Shop:" + c.Shop + " AccessToken:" + redactedOrEmpty(c.AccessToken))
	if c.Scope != "" {
		b.WriteString(" Scope:" + c.Scope)
	}
	if !c.Expiry.IsZero() {
		b.WriteString(" Expiry:" + c.Expiry.UTC().Format(time.RFC3339))
	}
	if c.RefreshToken != "" {
		b.WriteString(" RefreshToken:" + redacted)
	}
	if !c.RefreshExpiry.IsZero() {
		b.WriteString(" RefreshExpiry:" + c.RefreshExpiry.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, " Revision:%d}", c.Revision)
	return b.String()
}

// GoString is String: %#v never prints the secrets either.
func (c Credentials) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue implements slog.LogValuer without the secrets.
func (c Credentials) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("shop", c.Shop), slog.String("access_token", redactedOrEmpty(c.AccessToken))}
	if c.Scope != "" {
		attrs = append(attrs, slog.String("scope", c.Scope))
	}
	if !c.Expiry.IsZero() {
		attrs = append(attrs, slog.Time("expiry", c.Expiry))
	}
	if c.RefreshToken != "" {
		attrs = append(attrs, slog.String("refresh_token", redacted))
	}
	if !c.RefreshExpiry.IsZero() {
		attrs = append(attrs, slog.Time("refresh_expiry", c.RefreshExpiry))
	}
	return slog.GroupValue(append(attrs, slog.Int64("revision", c.Revision))...)
}

// MarshalJSON encodes the credentials with their secrets redacted, so JSON
// logs cannot leak them. To persist credentials, copy the fields.
func (c Credentials) MarshalJSON() ([]byte, error) {
	v := struct {
		Shop          string    `json:"shop"`
		AccessToken   string    `json:"access_token"`
		Scope         string    `json:"scope,omitempty"`
		Expiry        time.Time `json:"expiry,omitzero"`
		RefreshToken  string    `json:"refresh_token,omitempty"`
		RefreshExpiry time.Time `json:"refresh_expiry,omitzero"`
		Revision      int64     `json:"revision"`
	}{c.Shop, redactedOrEmpty(c.AccessToken), c.Scope, c.Expiry, "", c.RefreshExpiry, c.Revision}
	if c.RefreshToken != "" {
		v.RefreshToken = redacted
	}
	return json.Marshal(v)
}

func redactedOrEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return redacted
}

// Store keeps each shop's credentials, keyed by Credentials.Shop. The host
// implements it over its own storage, which must protect the secrets at
// rest (see the package documentation). A Store must be safe for
// concurrent use; a durable one by several processes sharing it. Each
// method is atomic, and a write that returns nil is durable. Methods
// return ctx.Err() (possibly wrapped) when the context ends first.
type Store interface {
	// LoadCredentials returns the credentials of shop with Revision set to
	// the stored revision (at least 1), or an error matching ErrNotFound.
	LoadCredentials(ctx context.Context, shop string) (Credentials, error)
	// SaveCredentials stores c for c.Shop if the stored revision is still
	// c.Revision (0: nothing is stored for the shop) and returns the new
	// revision, c.Revision+1. Otherwise it stores nothing and returns an
	// error matching ErrConflict. Of concurrent saves over one revision
	// exactly one succeeds. c.Shop and c.AccessToken must not be empty.
	// Times keep at least microsecond precision.
	SaveCredentials(ctx context.Context, c Credentials) (revision int64, err error)
	// DeleteCredentials removes the credentials of shop; removing
	// credentials that are not there returns nil.
	DeleteCredentials(ctx context.Context, shop string) error
}

// Locker is an optional capability of a [Store] shared by several
// processes: named leases that expire, used to let one process at a time
// refresh a shop's credentials. Its methods are those of the sync engine's
// Leaser, so the engine's SQL stores implement both with one table.
type Locker interface {
	// AcquireLease takes the named lease for owner until now+ttl and
	// returns true if it was free, expired, or already held by owner (it
	// is then renewed). It returns false, with a nil error, while another
	// owner holds an unexpired lease.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	// ReleaseLease frees the named lease if owner holds it, and does
	// nothing otherwise; it returns nil in both cases.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// LeaseName is the name of the lease under which a shop's credentials are
// refreshed: "credentials/" + shop.
func LeaseName(shop string) string { return "credentials/" + shop }

// Replace stores c for c.Shop over whatever is stored (after an install or
// a reinstall, where the new credentials win), retrying when another
// writer saves in between, and returns c with its new Revision.
func Replace(ctx context.Context, s Store, c Credentials) (Credentials, error) {
	for {
		cur, err := s.LoadCredentials(ctx, c.Shop)
		switch {
		case errors.Is(err, ErrNotFound):
			c.Revision = 0
		case err != nil:
			return c, err
		default:
			c.Revision = cur.Revision
		}
		rev, err := s.SaveCredentials(ctx, c)
		if errors.Is(err, ErrConflict) {
			if ctx.Err() != nil {
				return c, ctx.Err()
			}
			continue
		}
		if err != nil {
			return c, err
		}
		c.Revision = rev
		return c, nil
	}
}

// Validate reports what makes c unfit to be saved: an empty Shop or
// AccessToken, or a negative Revision. Stores call it in SaveCredentials.
func Validate(c Credentials) error {
	switch {
	case c.Shop == "":
		return errors.New("credential: credentials without a shop")
	case c.AccessToken == "":
		return fmt.Errorf("credential: credentials of %s without an access token", c.Shop)
	case c.Revision < 0:
		return fmt.Errorf("credential: credentials of %s with a negative revision", c.Shop)
	}
	return nil
}
