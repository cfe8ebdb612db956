package shopify

import "time"

// TransactionPayload is the REST-format order transaction sent for
// order_transactions/create and found in RefundPayload.Transactions. Kind is
// "authorization", "capture", "sale", "void" or "refund"; Status is
// "pending", "failure", "success" or "error".
type TransactionPayload struct {
	ID                   int64           `json:"id"`
	AdminGraphQLAPIID    string          `json:"admin_graphql_api_id" payload:"strict"`
	OrderID              int64           `json:"order_id"`
	ParentID             int64           `json:"parent_id"`
	LocationID           int64           `json:"location_id"`
	UserID               int64           `json:"user_id"`
	Kind                 string          `json:"kind" payload:"strict"`
	Gateway              string          `json:"gateway"`
	Status               string          `json:"status" payload:"strict"`
	Message              string          `json:"message"`
	Authorization        string          `json:"authorization"`
	ErrorCode            string          `json:"error_code"`
	SourceName           string          `json:"source_name"`
	PaymentID            string          `json:"payment_id"`
	Test                 bool            `json:"test"`
	ManualPaymentGateway bool            `json:"manual_payment_gateway"`
	Amount               Decimal         `json:"amount"`
	Currency             string          `json:"currency"`
	TotalUnsettledSet    PayloadMoneySet `json:"total_unsettled_set"`
	CreatedAt            time.Time       `json:"created_at"`
	ProcessedAt          time.Time       `json:"processed_at"`
}
