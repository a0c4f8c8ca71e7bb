package anamtest

import (
	"errors"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestDescribe(t *testing.T) {
	var many openapi3.MultiError
	for _, s := range []string{"a", "b", "b", "c", "d", "e", "f", "g"} {
		many = append(many, errors.New(s))
	}
	tests := []struct {
		err  error
		want string
	}{
		// Repeats are dropped, and the list is capped.
		{many, "a; b; c; d; e; and 2 more"},
		{&openapi3.SchemaError{Reason: "jsonschema validation failed with 'https://example.com/schema.json#'\n- at '': maximum: got 500, want 100"}, "maximum: got 500, want 100"},
		{&openapi3.SchemaError{Reason: `error at "/x": at '/x': minLength: got 0, want 1`}, "minLength: got 0, want 1"},
		{&openapi3.SchemaError{SchemaField: "required"}, `doesn't match schema "required"`},
		{errors.New("plain"), "plain"},
	}
	for _, tt := range tests {
		if got := describe(tt.err); got != tt.want {
			t.Errorf("describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestPaginate(t *testing.T) {
	// lastPage is 0 for an empty listing; prev and next follow page.
	tests := []struct {
		total, page, perPage int
		last, prev, next     int // -1 for null
	}{
		{0, 1, 10, 0, -1, -1},
		{0, 3, 10, 0, 2, -1},
		{1, 1, 10, 1, -1, -1},
		{10, 1, 10, 1, -1, -1},
		{11, 1, 10, 2, -1, 2},
		{11, 2, 10, 2, 1, -1},
		{11, 5, 10, 2, 4, -1},
	}
	for _, tt := range tests {
		m := paginate(tt.total, tt.page, tt.perPage)
		val := func(n interface {
			IsNull() bool
			Get() (int, error)
		}) int {
			if n.IsNull() {
				return -1
			}
			v, _ := n.Get()
			return v
		}
		if *m.LastPage != tt.last || val(m.Prev) != tt.prev || val(m.Next) != tt.next ||
			*m.Total != tt.total || *m.CurrentPage != tt.page || *m.PerPage != tt.perPage {
			t.Errorf("paginate(%d, %d, %d): last %d prev %d next %d; want %d %d %d",
				tt.total, tt.page, tt.perPage, *m.LastPage, val(m.Prev), val(m.Next), tt.last, tt.prev, tt.next)
		}
	}
}
