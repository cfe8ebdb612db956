package woocommerce

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// send makes one call and decodes the answer into a new T.
func send[T any](ctx context.Context, c *Client, method, path string, q url.Values, body any) (*T, *Response, error) {
	var v T
	resp, err := c.Do(ctx, &Request{Method: method, Path: path, Query: q, Body: body}, &v)
	if err != nil {
		return nil, resp, err
	}
	return &v, resp, nil
}

func get[T any](ctx context.Context, c *Client, path string) (*T, *Response, error) {
	return send[T](ctx, c, http.MethodGet, path, nil, nil)
}

// forceQuery returns force=true when force is set.
func forceQuery(force bool) url.Values {
	if !force {
		return nil
	}
	return url.Values{"force": {"true"}}
}

// idPath joins a route and ids: idPath("orders", 7, "notes") is
// "orders/7/notes".
func idPath(parts ...any) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += "/"
		}
		switch v := p.(type) {
		case string:
			s += v
		case int64:
			s += strconv.FormatInt(v, 10)
		}
	}
	return s
}
