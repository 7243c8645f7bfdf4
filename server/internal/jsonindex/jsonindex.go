//go:build !js

// Package jsonindex is how the server's protocol writes a log index in
// JSON: a number up to 2^53 (what JavaScript numbers hold exactly), a
// decimal string past it. Both the server and its Go client use it.
package jsonindex

import (
	"encoding/json"
	"errors"
	"strconv"
)

// Of returns n as the protocol writes it.
func Of(n uint64) any {
	if n <= 1<<53 {
		return n
	}
	return strconv.FormatUint(n, 10)
}

// Parse reads an index given as a JSON number or a decimal string.
func Parse(raw json.RawMessage) (uint64, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strconv.ParseUint(s, 10, 64)
	}
	var n uint64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, errors.New("an index is a non-negative integer or its decimal string")
	}
	return n, nil
}
