package pager

import (
	"testing"

	"github.com/oapi-codegen/nullable"
)

// The walker reads a page's meta by the API's JSON names, whatever Go
// types the generator gave them: int, *int (nil: not sent) or
// nullable.Nullable[int] (absent, null or a value).
func TestPageReadsMetaByJSONName(t *testing.T) {
	type meta struct {
		Total       *int                   `json:"total,omitempty"`
		LastPage    *int                   `json:"lastPage,omitempty"`
		CurrentPage int                    `json:"currentPage"`
		Next        nullable.Nullable[int] `json:"next,omitempty"`
	}
	three, five := 3, 5
	cases := []struct {
		name          string
		meta          meta
		number, total int
		next          int
		more          bool
	}{
		{"next sent", meta{Total: &five, CurrentPage: 2, Next: nullable.NewNullableWithValue(3)}, 2, 5, 3, true},
		{"next null: the last page, whatever lastPage says", meta{LastPage: &three, CurrentPage: 2, Next: nullable.NewNullNullable[int]()}, 2, -1, 0, false},
		{"no next: lastPage decides", meta{LastPage: &three, CurrentPage: 2}, 2, -1, 3, true},
		{"no next, on the last page", meta{LastPage: &three, CurrentPage: 3}, 3, -1, 0, false},
		{"no next, no lastPage", meta{CurrentPage: 1}, 1, -1, 0, false},
	}
	for _, tc := range cases {
		p := &Page[string, meta]{Meta: tc.meta}
		next, more := p.Next()
		if p.Number() != tc.number || p.Total() != tc.total || next != tc.next || more != tc.more {
			t.Errorf("%s: Number %d, Total %d, Next %d, %v; want %d, %d, %d, %v", tc.name, p.Number(), p.Total(), next, more, tc.number, tc.total, tc.next, tc.more)
		}
	}
	// A meta without those fields says nothing.
	q := &Page[string, struct{ Other int }]{}
	if _, more := q.Next(); q.Number() != 0 || q.Total() != -1 || more {
		t.Errorf("a meta with no known field: Number %d, Total %d, more %v", q.Number(), q.Total(), more)
	}
}

// The empty page a "nothing found" 404 stands for decodes its meta into
// whatever meta type the list has.
func TestEmptyPage(t *testing.T) {
	type meta struct {
		Total       *int                   `json:"total"`
		CurrentPage *int                   `json:"currentPage"`
		Next        nullable.Nullable[int] `json:"next"`
		Prev        nullable.Nullable[int] `json:"prev"`
	}
	p, err := emptyPage[string, meta](1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, more := p.Next(); more || p.Total() != 0 || p.Number() != 1 || len(p.Items) != 0 || p.Items == nil || !p.Meta.Prev.IsNull() {
		t.Errorf("empty page %+v", p)
	}
}
