package shopify

import "time"

// FulfillmentPayload is the REST-format fulfillment sent for
// fulfillments/create and fulfillments/update (and found in
// OrderPayload.Fulfillments). Status is "pending", "open", "success",
// "cancelled", "error" or "failure"; ShipmentStatus is the carrier's latest
// tracking state.
type FulfillmentPayload struct {
	ID                int64             `json:"id"`
	AdminGraphQLAPIID string            `json:"admin_graphql_api_id" payload:"strict"`
	OrderID           int64             `json:"order_id"`
	LocationID        int64             `json:"location_id"`
	Name              string            `json:"name"`
	Status            string            `json:"status" payload:"strict"`
	ShipmentStatus    string            `json:"shipment_status"`
	Service           string            `json:"service"`
	Email             string            `json:"email"`
	TrackingCompany   string            `json:"tracking_company"`
	TrackingNumber    string            `json:"tracking_number"`
	TrackingNumbers   []string          `json:"tracking_numbers"`
	TrackingURL       string            `json:"tracking_url"`
	TrackingURLs      []string          `json:"tracking_urls"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	Destination       *PayloadAddress   `json:"destination"`
	OriginAddress     *PayloadAddress   `json:"origin_address"`
	LineItems         []PayloadLineItem `json:"line_items" payload:"strict"`
}
