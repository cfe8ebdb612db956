package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// decodeLifecycle translates the app's lifecycle and the mandatory
// compliance topics; other topics are ChangeNone.
//
// Shopify signs the body, not the topic, so a captured body of another
// topic can be re-posted under one of these. The disconnecting and erasing
// topics therefore check that the body is shaped as their own (see
// [lifecycleShape]) before the engine asks the shop to confirm them.
func decodeLifecycle(e *webhook.Event) (wmssync.Change, error) {
	if err := lifecycleShape(e); err != nil {
		return wmssync.Change{}, err
	}
	switch e.Topic {
	case shopifywebhook.TopicAppUninstalled:
		return wmssync.Change{Kind: wmssync.ChangeDisconnected, Version: webhook.VersionOf(e, e.TriggeredAt)}, nil
	case shopifywebhook.TopicAppScopesUpdate:
		var p shopify.AppScopesUpdatePayload
		if err := decodeBody(e, &p); err != nil {
			return wmssync.Change{}, err
		}
		return wmssync.Change{Kind: wmssync.ChangeAccessChanged, Scopes: p.Current, Version: webhook.VersionOf(e, p.UpdatedAt)}, nil
	case shopifywebhook.TopicCustomersDataRequest:
		var p shopify.CustomersDataRequestPayload
		if err := decodeBody(e, &p); err != nil {
			return wmssync.Change{}, err
		}
		c := customerOf(p.Customer, p.OrdersRequested)
		if p.DataRequest.ID != 0 {
			c.RequestID = strconv.FormatInt(p.DataRequest.ID, 10)
		}
		return wmssync.Change{Kind: wmssync.ChangeDataRequest, Customer: &c}, nil
	case shopifywebhook.TopicCustomersRedact:
		var p shopify.CustomersRedactPayload
		if err := decodeBody(e, &p); err != nil {
			return wmssync.Change{}, err
		}
		if p.Customer.ID == 0 && p.Customer.Email == "" && len(p.OrdersToRedact) == 0 {
			return wmssync.Change{}, invalid(e, "no customer and no orders to redact")
		}
		c := customerOf(p.Customer, p.OrdersToRedact)
		return wmssync.Change{Kind: wmssync.ChangeRedactCustomer, Customer: &c}, nil
	case shopifywebhook.TopicShopRedact:
		return wmssync.Change{Kind: wmssync.ChangeRedactShop}, nil
	}
	return wmssync.Change{Kind: wmssync.ChangeNone}, nil
}

// lifecycleBodies says, per lifecycle topic, the keys its body must have
// and the keys of the other topics' bodies it must not have, so that no
// other signed body Shopify sends to the app passes for it: app/uninstalled
// carries the shop (myshopify_domain; order and product bodies do not);
// the compliance requests name the shop (shop_domain, which no other
// topic's body has) and differ from each other by their keys.
var lifecycleBodies = map[webhook.Topic]struct{ must, mustNot []string }{
	shopifywebhook.TopicAppUninstalled:       {must: []string{"id", "myshopify_domain"}, mustNot: []string{"shop_domain", "line_items", "variants"}},
	shopifywebhook.TopicCustomersDataRequest: {must: []string{"shop_domain", "customer"}, mustNot: []string{"orders_to_redact"}},
	shopifywebhook.TopicCustomersRedact:      {must: []string{"shop_domain", "customer", "orders_to_redact"}, mustNot: []string{"orders_requested", "data_request"}},
	shopifywebhook.TopicShopRedact:           {must: []string{"shop_id", "shop_domain"}, mustNot: []string{"customer", "orders_to_redact", "orders_requested", "data_request"}},
}

// lifecycleShape refuses a body of another topic delivered under a
// lifecycle topic, and a body naming another shop than the delivery.
func lifecycleShape(e *webhook.Event) error {
	want, ok := lifecycleBodies[e.Topic]
	if !ok {
		return nil
	}
	m, err := decodeObject(e.Body)
	if err != nil {
		return invalid(e, "the body is not a JSON object")
	}
	for _, k := range want.must {
		if _, ok := m[k]; !ok {
			return invalid(e, "not a "+string(e.Topic)+" body: it has no "+k)
		}
	}
	for _, k := range want.mustNot {
		if _, ok := m[k]; ok {
			return invalid(e, "not a "+string(e.Topic)+" body: it has "+k)
		}
	}
	key := "shop_domain"
	if e.Topic == shopifywebhook.TopicAppUninstalled {
		key = "myshopify_domain" // null in Shopify's sample
	}
	if d := str(m[key]); d != "" || e.Topic != shopifywebhook.TopicAppUninstalled {
		if !strings.EqualFold(d, e.Shop) {
			return invalid(e, "the payload names shop "+strconv.Quote(d)+", the delivery "+e.Shop)
		}
	}
	return nil
}

func customerOf(p shopify.PayloadComplianceCustomer, orders []int64) wmssync.Customer {
	c := wmssync.Customer{Email: p.Email, Phone: p.Phone}
	if p.ID != 0 {
		c.ID = shopify.GID("Customer", p.ID)
	}
	for _, id := range orders {
		c.Orders = append(c.Orders, shopify.GID("Order", id))
	}
	return c
}

var _ wmssync.PayloadRedactor = (*Connector)(nil)

// personalOrderFields are the fields of an order payload that hold the
// customer's personal data.
var personalOrderFields = []string{"customer", "email", "contact_email", "phone", "billing_address", "shipping_address",
	"client_details", "browser_ip", "note", "note_attributes", "customer_locale"}

// RedactPayload implements wmssync.PayloadRedactor for Shopify's webhook
// payloads: an order payload (orders/*) of one of c's orders, or of c as
// customer, loses its customer, e-mail, phone, addresses, client details,
// browser IP and notes (set to null); a refund (refunds/create) of one of
// c's orders its note; a fulfilment (fulfillments/*) of one of c's orders
// its destination and e-mail; a data request or redaction request about c
// the customer's e-mail and phone. Ids, SKUs, quantities and amounts stay.
// Numbers are kept exactly as they were (no float64 round trip).
func (c *Connector) RedactPayload(e *webhook.Event, cu wmssync.Customer) ([]byte, bool, error) {
	var fields []string
	var match func(m map[string]json.RawMessage) bool
	orderMatch := func(key string) func(map[string]json.RawMessage) bool {
		return func(m map[string]json.RawMessage) bool {
			return slices.Contains(cu.Orders, shopify.GID("Order", number(m[key])))
		}
	}
	topic := string(e.Topic)
	switch {
	case strings.HasPrefix(topic, "orders/"):
		fields = personalOrderFields
		match = func(m map[string]json.RawMessage) bool {
			if orderMatch("id")(m) {
				return true
			}
			var cust struct {
				ID    json.Number `json:"id"`
				Email string      `json:"email"`
			}
			_ = json.Unmarshal(m["customer"], &cust)
			if cu.ID != "" && cust.ID != "" && shopify.GID("Customer", number(json.RawMessage(cust.ID))) == cu.ID {
				return true
			}
			return cu.Email != "" && (strings.EqualFold(str(m["email"]), cu.Email) || strings.EqualFold(cust.Email, cu.Email))
		}
	case e.Topic == shopifywebhook.TopicRefundsCreate:
		fields, match = []string{"note"}, orderMatch("order_id")
	case strings.HasPrefix(topic, "fulfillments/"):
		fields, match = []string{"destination", "email"}, orderMatch("order_id")
	case e.Topic == shopifywebhook.TopicCustomersDataRequest || e.Topic == shopifywebhook.TopicCustomersRedact:
		return redactComplianceCustomer(e.Body, cu)
	default:
		return nil, false, nil
	}
	m, err := decodeObject(e.Body)
	if err != nil || !match(m) {
		return nil, false, nil
	}
	changed := nullFields(m, fields)
	if strings.HasPrefix(topic, "orders/") {
		// An order carries its fulfilments and refunds too.
		for key, nested := range map[string][]string{"fulfillments": {"destination", "email"}, "refunds": {"note"}} {
			var items []map[string]json.RawMessage
			if json.Unmarshal(m[key], &items) != nil {
				continue
			}
			c := false
			for _, it := range items {
				c = nullFields(it, nested) || c
			}
			if c {
				b, err := json.Marshal(items)
				if err != nil {
					return nil, false, err
				}
				m[key], changed = b, true
			}
		}
	}
	if !changed {
		return nil, false, nil
	}
	out, err := json.Marshal(m)
	return out, err == nil, err
}

// nullFields sets the fields of m that are present and not null to null
// and reports whether it changed one.
func nullFields(m map[string]json.RawMessage, fields []string) bool {
	changed := false
	for _, f := range fields {
		if v, ok := m[f]; ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			m[f] = json.RawMessage("null")
			changed = true
		}
	}
	return changed
}

// redactComplianceCustomer blanks the e-mail and phone of a compliance
// request's customer when it is cu.
func redactComplianceCustomer(body []byte, cu wmssync.Customer) ([]byte, bool, error) {
	m, err := decodeObject(body)
	if err != nil {
		return nil, false, nil
	}
	cust, err := decodeObject(m["customer"])
	if err != nil {
		return nil, false, nil
	}
	id := number(cust["id"])
	if (cu.ID == "" || shopify.GID("Customer", id) != cu.ID) && (cu.Email == "" || !strings.EqualFold(str(cust["email"]), cu.Email)) {
		return nil, false, nil
	}
	if str(cust["email"]) == "" && str(cust["phone"]) == "" {
		return nil, false, nil
	}
	cust["email"], cust["phone"] = json.RawMessage("null"), json.RawMessage("null")
	cb, err := json.Marshal(cust)
	if err != nil {
		return nil, false, err
	}
	m["customer"] = cb
	out, err := json.Marshal(m)
	return out, err == nil, err
}

func decodeObject(b []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errNotObject
	}
	return m, nil
}

var errNotObject = errors.New("not a JSON object")

// number returns a JSON integer's digits as int64 (0 when it is none).
func number(v json.RawMessage) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
	return n
}

func str(v json.RawMessage) string {
	var s string
	_ = json.Unmarshal(v, &s)
	return s
}
