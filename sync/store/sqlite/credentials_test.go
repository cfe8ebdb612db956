package sqlite_test

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/credential/credentialtest"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
)

func TestCredentialStoreConformance(t *testing.T) {
	credentialtest.Run(t, func(t *testing.T) credential.Store { return newStore(t) })
}

func TestCredentialStoreConformanceSealed(t *testing.T) {
	sealer, err := credential.NewAESGCM(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	credentialtest.Run(t, func(t *testing.T) credential.Store {
		return openStore(t, filepath.Join(t.TempDir(), "sealed.db"), sqlite.WithCredentialSealer(sealer))
	})
}

func rawSecrets(t *testing.T, path, shop string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var blob []byte
	require.NoError(t, db.QueryRow(`SELECT secrets FROM wmsbridge_credentials WHERE shop = ?`, shop).Scan(&blob))
	return blob
}

func TestCredentialsSealedAtRest(t *testing.T) {
	const access, refresh = "shpat_AT_REST_SECRET_1", "shprt_AT_REST_SECRET_2"
	key := bytes.Repeat([]byte{1}, 32)
	sealer, err := credential.NewAESGCM(key)
	require.NoError(t, err)
	dir := t.TempDir()
	plainPath, sealedPath := filepath.Join(dir, "plain.db"), filepath.Join(dir, "sealed.db")
	c := credential.Credentials{Shop: "MyShopDK", AccessToken: access, RefreshToken: refresh, Scope: "read_products", Expiry: time.Now().Add(time.Hour)}

	plain := openStore(t, plainPath)
	_, err = plain.SaveCredentials(ctx, c)
	require.NoError(t, err)
	assert.Contains(t, string(rawSecrets(t, plainPath, "MyShopDK")), access, "without a Sealer the tokens are in plain text (documented)")

	sealed := openStore(t, sealedPath, sqlite.WithCredentialSealer(sealer))
	_, err = sealed.SaveCredentials(ctx, c)
	require.NoError(t, err)
	c.Shop = "MyShopUK"
	_, err = sealed.SaveCredentials(ctx, c)
	require.NoError(t, err)
	raw := rawSecrets(t, sealedPath, "MyShopDK")
	assert.NotContains(t, string(raw), access)
	assert.NotContains(t, string(raw), refresh)
	got, err := sealed.LoadCredentials(ctx, "MyShopDK")
	require.NoError(t, err)
	assert.Equal(t, access, got.AccessToken)
	assert.Equal(t, refresh, got.RefreshToken)
	require.NoError(t, sealed.Close())

	// Without the Sealer, or with another key, sealed rows do not open,
	// with an error that says why and shows no secret.
	noSealer := openStore(t, sealedPath)
	_, err = noSealer.LoadCredentials(ctx, "MyShopDK")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sealed")
	require.NoError(t, noSealer.Close())
	other, _ := credential.NewAESGCM(bytes.Repeat([]byte{2}, 32))
	wrongKey := openStore(t, sealedPath, sqlite.WithCredentialSealer(other))
	_, err = wrongKey.LoadCredentials(ctx, "MyShopDK")
	require.Error(t, err)
	require.NoError(t, wrongKey.Close())

	// A sealed row copied onto another shop does not open (the shop is
	// authenticated data).
	db, err := sql.Open("sqlite", sealedPath)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE wmsbridge_credentials SET secrets = (SELECT secrets FROM wmsbridge_credentials WHERE shop = 'MyShopDK') WHERE shop = 'MyShopUK'`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	again := openStore(t, sealedPath, sqlite.WithCredentialSealer(sealer))
	_, err = again.LoadCredentials(ctx, "MyShopUK")
	require.Error(t, err)
	assert.False(t, strings.Contains(err.Error(), access) || strings.Contains(err.Error(), refresh))
	_, err = again.LoadCredentials(ctx, "MyShopDK")
	require.NoError(t, err)
}
