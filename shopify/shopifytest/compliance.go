package shopifytest

import (
	"errors"
	"slices"
	"strconv"
)

// appPayload is the Object of an event whose payload is not a resource of
// the shop: the app's scopes update and the compliance requests.
type appPayload interface {
	payload(b payloadBuilder) jobj
}

// scopesUpdate is the object of app/scopes_update.
type scopesUpdate struct {
	id                int64
	previous, current []string
}

func (u *scopesUpdate) payload(b payloadBuilder) jobj {
	return jobj{{"id", u.id}, {"shop_id", "gid://shopify/Shop/" + strconv.FormatInt(b.s.info.ID, 10)},
		{"previous", nonNil(u.previous)}, {"current", nonNil(u.current)}, {"updated_at", b.ts(b.s.now())}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CustomerRequest identifies the customer of a compliance request: the
// shop's customer id, e-mail and phone, and the ids of the orders
// concerned.
type CustomerRequest struct {
	CustomerID int64
	Email      string
	Phone      string
	OrderIDs   []int64
}

// complianceRequest is the object of customers/data_request,
// customers/redact and shop/redact.
type complianceRequest struct {
	topic     string
	customer  CustomerRequest
	requestID int64
}

func (r *complianceRequest) payload(b payloadBuilder) jobj {
	p := jobj{{"shop_id", b.s.info.ID}, {"shop_domain", b.s.Domain()}}
	if r.topic == "shop/redact" {
		return p
	}
	orders := slices.Clone(r.customer.OrderIDs)
	if orders == nil {
		orders = []int64{}
	}
	p = append(p, jfield{"customer", jobj{{"id", r.customer.CustomerID}, {"email", r.customer.Email}, {"phone", r.customer.Phone}}})
	if r.topic == "customers/data_request" {
		return append(p, jfield{"orders_requested", orders}, jfield{"data_request", jobj{{"id", r.requestID}}})
	}
	return append(p, jfield{"orders_to_redact", orders})
}

// The compliance topics go to the app's configured addresses only (in
// Shopify: compliance_topics in shopify.app.toml, never the Admin API).
// Subscribe an address with AddWebhookSubscription (topics
// CUSTOMERS_DATA_REQUEST, CUSTOMERS_REDACT, SHOP_REDACT), which the
// simulator keeps across uninstalls, so shop/redact arrives after one.

// complianceTopics are the topics an app subscribes in its configuration
// only: the Admin API neither lists nor creates them (they are not values
// of WebhookSubscriptionTopic).
var complianceTopics = map[string]bool{"CUSTOMERS_DATA_REQUEST": true, "CUSTOMERS_REDACT": true, "SHOP_REDACT": true}

// RequestCustomerData records a customers/data_request event (a customer
// asked the merchant for their data) and returns the request's id.
func (s *Shop) RequestCustomerData(c CustomerRequest) int64 {
	s.mu.Lock()
	id := s.newID()
	s.emit("customers/data_request", "Shop", s.info.ID, &complianceRequest{topic: "customers/data_request", customer: c, requestID: id})
	s.unlock()
	return id
}

// RedactCustomer records a customers/redact event: the app must erase the
// customer's personal data and that of the orders. (Shopify sends it ten
// days after the request, or later when the customer ordered recently.)
func (s *Shop) RedactCustomer(c CustomerRequest) {
	s.mu.Lock()
	s.emit("customers/redact", "Shop", s.info.ID, &complianceRequest{topic: "customers/redact", customer: c})
	s.unlock()
}

// ErrAppInstalled is returned by RedactShop while the app is installed:
// Shopify sends shop/redact 48 hours after an uninstall, and not at all
// when the app was installed again.
var ErrAppInstalled = errors.New("shopifytest: shop/redact is sent only after the app was uninstalled")

// RedactShop records the shop/redact event Shopify sends 48 hours after
// the app was uninstalled (call it when that much simulated time passed):
// the app must erase the shop's data.
func (s *Shop) RedactShop() error {
	s.mu.Lock()
	if !s.auth.uninstalled {
		s.mu.Unlock()
		return ErrAppInstalled
	}
	s.emit("shop/redact", "Shop", s.info.ID, &complianceRequest{topic: "shop/redact"})
	s.unlock()
	return nil
}
