package postgres_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/credential/credentialtest"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
)

func TestCredentialStoreConformance(t *testing.T) {
	testDSN(t)
	credentialtest.Run(t, func(t *testing.T) credential.Store { return newStore(t) })
}

func TestCredentialStoreConformanceSealed(t *testing.T) {
	testDSN(t)
	sealer, err := credential.NewAESGCM(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	credentialtest.Run(t, func(t *testing.T) credential.Store { return newStore(t, postgres.WithCredentialSealer(sealer)) })
}

func TestCredentialsSealedAtRest(t *testing.T) {
	const access, refresh = "shpat_AT_REST_SECRET_1", "shprt_AT_REST_SECRET_2"
	sealer, err := credential.NewAESGCM(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	s := newStore(t, postgres.WithCredentialSealer(sealer))
	c := credential.Credentials{Shop: "MyShopDK", AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(time.Hour)}
	_, err = s.SaveCredentials(ctx, c)
	require.NoError(t, err)
	var raw []byte
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT secrets FROM `+s.Schema()+`.wmsbridge_credentials WHERE shop = 'MyShopDK'`).Scan(&raw))
	assert.NotContains(t, string(raw), access)
	assert.NotContains(t, string(raw), refresh)

	plain, err := postgres.New(ctx, s.Pool(), postgres.WithSchema(s.Schema()))
	require.NoError(t, err)
	_, err = plain.LoadCredentials(ctx, "MyShopDK")
	require.Error(t, err, "sealed rows need the Sealer")
	assert.Contains(t, err.Error(), "sealed")
	got, err := s.LoadCredentials(ctx, "MyShopDK")
	require.NoError(t, err)
	assert.Equal(t, access, got.AccessToken)
}
