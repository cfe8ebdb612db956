package credential_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
)

// A host stores a shop's credentials after an install with Replace; a
// token source later loads them and saves a refreshed pair over the
// revision it loaded, so a writer that loaded an older revision cannot
// overwrite it. Formatting never shows the tokens.
func Example() {
	ctx := context.Background()
	var store credential.Store = credential.NewMemoryStore() // or the engine's SQL store, or the host's own
	expiry := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	c, err := credential.Replace(ctx, store, credential.Credentials{
		Shop: "shop-1", AccessToken: "shpat_example", Scope: "read_products,write_inventory",
		Expiry: expiry, RefreshToken: "shprt_example", RefreshExpiry: expiry.AddDate(0, 0, 90),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("revision", c.Revision, c.Scopes())

	loaded, err := store.LoadCredentials(ctx, "shop-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("expires within 5 minutes at 14:56:", loaded.ExpiresWithin(expiry.Add(-4*time.Minute), 5*time.Minute))
	refreshed := loaded
	refreshed.AccessToken, refreshed.RefreshToken, refreshed.Expiry = "shpat_renewed", "shprt_renewed", expiry.Add(time.Hour)
	rev, err := store.SaveCredentials(ctx, refreshed)
	fmt.Println("saved revision", rev, err)
	_, err = store.SaveCredentials(ctx, loaded) // a second writer with the old revision
	fmt.Println("stale save refused:", errors.Is(err, credential.ErrConflict))
	fmt.Printf("%v\n", refreshed)
	// Output:
	// revision 1 [read_products write_inventory]
	// expires within 5 minutes at 14:56: true
	// saved revision 2 <nil>
	// stale save refused: true
	// credential.Credentials{Shop:shop-1 AccessToken:[REDACTED] Scope:read_products,write_inventory Expiry:2026-12-07T16:00:00Z RefreshToken:[REDACTED] RefreshExpiry:2027-03-07T15:00:00Z Revision:1}
}
