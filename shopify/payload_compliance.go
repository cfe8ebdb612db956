package shopify

// The mandatory compliance (GDPR) topics customers/data_request,
// customers/redact and shop/redact can only be subscribed through the app
// configuration, never through the Admin API, and must answer 401 to a bad
// HMAC. Their payloads use shop_id/shop_domain rather than a resource ID.

// PayloadComplianceCustomer identifies the customer of a compliance request.
type PayloadComplianceCustomer struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// CustomersDataRequestPayload is the payload of customers/data_request: the
// customer asked for their data; report what you hold for OrdersRequested.
type CustomersDataRequestPayload struct {
	ShopID          int64                     `json:"shop_id"`
	ShopDomain      string                    `json:"shop_domain"`
	Customer        PayloadComplianceCustomer `json:"customer"`
	OrdersRequested []int64                   `json:"orders_requested"`
	DataRequest     PayloadDataRequest        `json:"data_request"`
}

// PayloadDataRequest identifies a customer data request.
type PayloadDataRequest struct {
	ID int64 `json:"id"`
}

// CustomersRedactPayload is the payload of customers/redact: erase the
// customer's personal data and that of OrdersToRedact.
type CustomersRedactPayload struct {
	ShopID         int64                     `json:"shop_id"`
	ShopDomain     string                    `json:"shop_domain"`
	Customer       PayloadComplianceCustomer `json:"customer"`
	OrdersToRedact []int64                   `json:"orders_to_redact"`
}

// ShopRedactPayload is the payload of shop/redact, sent 48 hours after a shop
// uninstalled the app: erase the shop's data.
type ShopRedactPayload struct {
	ShopID     int64  `json:"shop_id"`
	ShopDomain string `json:"shop_domain"`
}
