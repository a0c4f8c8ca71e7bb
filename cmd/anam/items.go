package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/anam-ai/anam-go/api"
)

// pageMeta is what --all reads of a page's meta.
type pageMeta struct {
	CurrentPage *int `json:"currentPage"`
	LastPage    *int `json:"lastPage"`
	Next        *int `json:"next"`
	Total       *int `json:"total"`
}

// eachItem calls fn with every item of a page body, the {data: [...],
// meta: {...}} envelope, one at a time (each item is decoded on its own,
// so no page is ever decoded into Go values), and returns the meta.
func eachItem(body []byte, fn func(json.RawMessage) error) (pageMeta, int, error) {
	var meta pageMeta
	n := 0
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return meta, 0, fmt.Errorf("%w: a list page is not a JSON object", api.ErrDecode)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
		}
		switch t {
		case "data":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return meta, n, fmt.Errorf("%w: a list page's data is not an array", api.ErrDecode)
			}
			for dec.More() {
				var item json.RawMessage
				if err := dec.Decode(&item); err != nil {
					return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
				}
				n++
				if err := fn(item); err != nil {
					return meta, n, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
			}
		case "meta":
			if err := dec.Decode(&meta); err != nil {
				return meta, n, fmt.Errorf("%w: a list page's meta: %v", api.ErrDecode, err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return meta, n, fmt.Errorf("%w: %v", api.ErrDecode, err)
			}
		}
	}
	return meta, n, nil
}
