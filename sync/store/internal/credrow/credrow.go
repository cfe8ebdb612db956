// Package credrow encodes the secret part of credentials for the SQL
// stores (sync/store/sqlite, sync/store/postgres): the access and refresh
// tokens go into one column, sealed with the store's credential.Sealer when
// it has one, in plain text otherwise. The first byte says which, so a
// store opened without its Sealer reports sealed rows instead of returning
// garbage.
package credrow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/wmsbridge/wmsbridge/credential"
)

const (
	formatPlain  byte = 1
	formatSealed byte = 2
)

type secrets struct {
	AccessToken  string `json:"a"`
	RefreshToken string `json:"r,omitempty"`
}

func aad(shop string) []byte { return []byte("wmsbridge credentials\x00" + shop) }

// Seal encodes c's tokens, sealed with s when s is not nil.
func Seal(ctx context.Context, s credential.Sealer, c credential.Credentials) ([]byte, error) {
	plain, err := json.Marshal(secrets{c.AccessToken, c.RefreshToken})
	if err != nil {
		return nil, err
	}
	if s == nil {
		return append([]byte{formatPlain}, plain...), nil
	}
	sealed, err := s.Seal(ctx, plain, aad(c.Shop))
	if err != nil {
		return nil, fmt.Errorf("sealing the credentials of %s: %w", c.Shop, err)
	}
	return append([]byte{formatSealed}, sealed...), nil
}

// Open decodes what Seal returned into c's AccessToken and RefreshToken.
func Open(ctx context.Context, s credential.Sealer, c *credential.Credentials, blob []byte) error {
	if len(blob) == 0 {
		return fmt.Errorf("the credentials of %s have no secrets stored", c.Shop)
	}
	body := blob[1:]
	switch blob[0] {
	case formatPlain:
	case formatSealed:
		if s == nil {
			return fmt.Errorf("the credentials of %s are sealed: open the store with the credential.Sealer that sealed them", c.Shop)
		}
		var err error
		if body, err = s.Open(ctx, body, aad(c.Shop)); err != nil {
			return fmt.Errorf("opening the credentials of %s: %w", c.Shop, err)
		}
	default:
		return fmt.Errorf("the credentials of %s are stored in an unknown format %d", c.Shop, blob[0])
	}
	var v secrets
	if err := json.Unmarshal(body, &v); err != nil {
		return errors.New("the stored credentials do not decode")
	}
	c.AccessToken, c.RefreshToken = v.AccessToken, v.RefreshToken
	return nil
}
