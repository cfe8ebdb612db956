package shopify

import (
	"context"
	"time"
)

// Observer receives the metrics of every Client.Do once it ends. It is the
// hook for metrics and tracing; see WithObserver.
type Observer func(ctx context.Context, m RequestMetrics)

// RequestMetrics describes one Client.Do.
type RequestMetrics struct {
	Shop          string          // "name.myshopify.com"
	Operation     string          // GraphQL operation name, "" when anonymous
	Mutation      bool            // the operation is a mutation
	StatusCode    int             // HTTP status of the last answer, 0 if none
	RequestID     string          // Shopify's X-Request-Id of the last answer
	APIVersion    string          // the API version that served the request
	Attempts      int             // attempts made, counting the first
	Retries       int             // Attempts - 1
	RequestedCost float64         // requestedQueryCost of the last answer
	ActualCost    float64         // actualQueryCost of the last answer
	Throttle      *ThrottleStatus // the bucket as Shopify last reported it
	ThrottleWait  time.Duration   // time spent waiting for the cost bucket
	Duration      time.Duration   // wall time of the whole Do
	Err           error           // the error Do returned
}
