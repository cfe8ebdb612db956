package console_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/wmsbridge/wmsbridge/console"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// user is the host's signed-in user, as its session middleware finds it.
type user struct{ admin bool }

func currentUser(r *http.Request) *user {
	switch r.Header.Get("X-Demo-User") { // a real host reads its session cookie
	case "admin":
		return &user{admin: true}
	case "operator":
		return &user{}
	}
	return nil
}

// The console mounted in a host's admin under /admin/wms, with the host's
// own sign-in: everyone signed in may look, only administrators change.
func ExampleNew() {
	warehouse, _ := memwms.New(nil) // your wms.Backend
	engine, err := wmssync.NewEngine(wmssync.Config{Backend: warehouse, Store: memstore.New(),
		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()}, // Shopify
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			return nil, errors.New("read the shop's credentials from your secret store here")
		}})
	if err != nil {
		log.Fatal(err)
	}
	saveToken := func(ctx context.Context, shop, adminURL, token, apiSecret string) error {
		return nil // store them encrypted, for Config.Connect to read
	}
	con, err := console.New(console.Config{
		Engine:     engine,
		Warehouses: warehouse,
		BasePath:   "/admin/wms",
		Methods:    []console.Method{console.ShopifyToken(saveToken)},
		Authorize: func(r *http.Request, shop string, a console.Action) error {
			u := currentUser(r)
			switch {
			case u == nil:
				return console.ErrUnauthenticated
			case a != console.ActionView && !u.admin:
				return errors.New("only administrators change shops")
			}
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer con.Close()
	mux := http.NewServeMux()
	mux.Handle("/admin/wms/", con)

	for _, who := range []string{"", "operator", "admin"} {
		req := httptest.NewRequest(http.MethodGet, "/admin/wms/", nil)
		req.Header.Set("X-Demo-User", who)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Printf("%q sees the shops: %d\n", who, rec.Code)
	}
	// Output:
	// "" sees the shops: 401
	// "operator" sees the shops: 200
	// "admin" sees the shops: 200
}
