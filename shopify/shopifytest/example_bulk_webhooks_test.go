package shopifytest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// Webhooks are delivered asynchronously; WaitWebhooks waits until every
// delivery is done. The signature is the base64 HMAC-SHA256 of the raw
// body with the app secret.
func ExampleServer_WaitWebhooks() {
	srv := shopifytest.NewServer(shopifytest.WithTimeScale(1000), shopifytest.WithWebhookSecret("app-secret"))
	defer srv.Close()
	shop := srv.DefaultShop()

	got := make(chan string, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		signed := r.Header.Get("X-Shopify-Hmac-Sha256") == shopifytest.Sign("app-secret", body)
		var p struct {
			Title string `json:"title"`
		}
		_ = json.Unmarshal(body, &p)
		got <- fmt.Sprintf("%s %q signed=%v", r.Header.Get("X-Shopify-Topic"), p.Title, signed)
	}))
	defer receiver.Close()

	shop.AddWebhookSubscription("PRODUCTS_CREATE", receiver.URL)
	if _, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Mug", Variants: []shopifytest.VariantSpec{{SKU: "MUG-1", Price: "9.00"}}}); err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.WaitWebhooks(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(<-got)
	fmt.Println(shop.WebhookStats().Delivered)
	// Output:
	// products/create "Mug" signed=true
	// 1
}

// A bulk query runs in the background; its JSONL result is served from a
// signed URL that needs no access token.
func ExampleShop_WaitBulkOperation() {
	srv := shopifytest.NewServer(shopifytest.WithTimeScale(1000))
	defer srv.Close()
	shop := srv.DefaultShop()
	if _, err := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: 2, VariantsPerProduct: 2}); err != nil {
		fmt.Println(err)
		return
	}

	body, _ := json.Marshal(map[string]any{"query": `mutation { bulkOperationRunQuery(query: "{ products { edges { node { id variants { edges { node { sku } } } } } } }") { bulkOperation { id } userErrors { message } } }`})
	req, _ := http.NewRequest(http.MethodPost, srv.GraphQLURL(shop.Name(), "2026-10"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", shop.AccessToken())
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	var out struct {
		Data struct {
			BulkOperationRunQuery struct {
				BulkOperation struct{ ID string }
			}
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	id, _ := shopify.LegacyID(out.Data.BulkOperationRunQuery.BulkOperation.ID, "BulkOperation")

	op, err := shop.WaitBulkOperation(context.Background(), id)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(op.Status, op.ObjectCount, op.RootObjectCount)
	res, err := http.Get(op.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	children := 0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"__parentId"`) {
			children++
		}
	}
	fmt.Println("variant lines:", children)
	// Output:
	// COMPLETED 6 2
	// variant lines: 4
}
