package api_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

// Client.Do refuses, before sending anything, every request it cannot make
// right, each with an *ArgumentError saying what was wrong.
func TestDoRefusesBadRequests(t *testing.T) {
	s := newStub(t, 3)
	c := s.client(t)
	listAvatars, ok := api.LookupOperation("listAvatars")
	if !ok {
		t.Fatal("no listAvatars")
	}
	post := &api.Operation{ID: "postThing", Method: "POST", Path: "/v1/things/{id}",
		PathParams: []api.Param{{Name: "id", Required: true}}, Body: api.BodyJSON, BodyRequired: true}
	cases := map[string]struct {
		op   *api.Operation
		req  api.RawRequest
		want string
	}{
		"no operation":              {nil, api.RawRequest{}, "an operation"},
		"a body without its type":   {post, api.RawRequest{PathArgs: []string{"a"}, Body: strings.NewReader("{}")}, "ContentType"},
		"too few path arguments":    {post, api.RawRequest{Body: strings.NewReader("{}"), ContentType: "application/json"}, "1 argument(s), for /v1/things/{id}"},
		"a required body missing":   {post, api.RawRequest{PathArgs: []string{"a"}}, "the spec requires one"},
		"an integer that is none":   {listAvatars, api.RawRequest{Query: map[string][]string{"perPage": {"ten"}}}, "perPage"},
		"an integer out of range":   {listAvatars, api.RawRequest{Query: map[string][]string{"perPage": {"500"}}}, "from 1 to 100"},
		"a boolean that is none":    {listAvatars, api.RawRequest{Query: map[string][]string{"onlyOneShot": {"maybe"}}}, "a boolean"},
		"a path segment that is ..": {post, api.RawRequest{PathArgs: []string{".."}, Body: strings.NewReader("{}"), ContentType: "application/json"}, `other than "." and ".."`},
	}
	for name, tc := range cases {
		_, err := c.Do(context.Background(), tc.op, tc.req)
		var ae *api.ArgumentError
		if !errors.As(err, &ae) || !errors.Is(err, api.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want an ArgumentError mentioning %q", name, err, tc.want)
		}
	}
	if n := s.requests.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A search term that breaks no rule is sent; one refused would show only its
// length, never its text.
func TestRefusedFreeTextIsNotEchoed(t *testing.T) {
	op := &api.Operation{ID: "findThing", Method: "GET", Path: "/v1/things",
		Query: []api.Param{{Name: "search", Rule: api.Rule{Type: "string", MaxLength: new(5)}}}}
	c := newStub(t, 1).client(t)
	_, err := c.Do(context.Background(), op, api.RawRequest{Query: map[string][]string{"search": {"patient-john-doe"}}})
	if !errors.Is(err, api.ErrInvalidArgument) || strings.Contains(err.Error(), "john") || !strings.Contains(err.Error(), "16 characters") {
		t.Errorf("err = %v", err)
	}
}
