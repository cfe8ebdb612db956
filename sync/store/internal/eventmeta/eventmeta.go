// Package eventmeta encodes webhook.Event.Meta for the SQL stores' inbox
// column meta: a JSON object, or "" when there is none.
package eventmeta

import (
	"encoding/json"
	"fmt"
)

// Encode returns m as a JSON object, or "" when m is empty.
func Encode(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "" // a map[string]string always marshals
	}
	return string(b)
}

// Decode returns the map encoded by Encode; nil for "".
func Decode(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("inbox meta: %w", err)
	}
	return m, nil
}
