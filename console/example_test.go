package console_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	gosync "sync"

	"github.com/wmsbridge/wmsbridge/console"
	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
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

// The install button of the vendor's Shopify app (package shopify/oauth):
// the console saves the shop and sends the merchant to Shopify; the app's
// redirect URL stores the credentials and opens the shop's connection
// test.
func ExampleShopifyInstall() {
	warehouse, _ := memwms.New(nil)
	store := memstore.New()
	engine, err := wmssync.NewEngine(wmssync.Config{Backend: warehouse, Store: store,
		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			return nil, errors.New("build the shop's client with app.TokenSource(credentials, s.Shop, s.Domain()) here")
		}})
	if err != nil {
		log.Fatal(err)
	}
	app, err := oauth.New(oauth.Config{ClientID: "client-id", ClientSecret: "client-secret",
		RedirectURL: "https://wms.example.com/shopify/callback"})
	if err != nil {
		log.Fatal(err)
	}
	var credentials credential.Store // your store of the shops' credentials (the SQL stores are ones)
	var mu gosync.Mutex
	installing := map[string]string{} // shop domain -> shop id
	install := console.ShopifyInstall(func(ctx context.Context, shop, adminURL string) (string, error) {
		domain, err := shopify.NormalizeShop(adminURL)
		if err != nil {
			return "", &console.FieldError{Field: "admin_url", Reason: "enter https://NAME.myshopify.com"}
		}
		mu.Lock()
		installing[domain] = shop
		mu.Unlock()
		scopes := connector.InstallScopes(wmssync.Features{Products: true, Orders: true})
		return app.AuthorizeURL(ctx, domain, scopes)
	})
	con, err := console.New(console.Config{Engine: engine, Warehouses: warehouse, BasePath: "/admin/wms",
		Methods: []console.Method{install}, Authorize: func(*http.Request, string, console.Action) error {
			return nil // your sign-in
		}})
	if err != nil {
		log.Fatal(err)
	}
	defer con.Close()
	mux := http.NewServeMux()
	mux.Handle("/admin/wms/", con)
	mux.HandleFunc("GET /shopify/callback", func(w http.ResponseWriter, r *http.Request) {
		grant, err := app.Callback(r.Context(), r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		shop, ok := installing[grant.Shop]
		mu.Unlock()
		if !ok {
			http.Error(w, "no install of this shop was started", http.StatusBadRequest)
			return
		}
		if _, err := credential.Replace(r.Context(), credentials, grant.Credentials(shop)); err != nil {
			http.Error(w, "the credentials could not be stored", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, con.ConnectedURL(shop), http.StatusSeeOther)
	})
	fmt.Println(con.ConnectedURL("MyShopDK"))
	// Output: /admin/wms/shops/MyShopDK/test?done=connected
}
