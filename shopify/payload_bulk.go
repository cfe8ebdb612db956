package shopify

import "time"

// BulkOperationFinishPayload is the payload of bulk_operations/finish. Status
// is lowercase ("completed", "failed", "canceled", "expired"); fetch the
// operation by AdminGraphQLAPIID to get its result URL.
type BulkOperationFinishPayload struct {
	AdminGraphQLAPIID string    `json:"admin_graphql_api_id" payload:"strict"`
	Type              string    `json:"type"`
	Status            string    `json:"status" payload:"strict"`
	ErrorCode         string    `json:"error_code"`
	CreatedAt         time.Time `json:"created_at"`
	CompletedAt       time.Time `json:"completed_at"`
}
