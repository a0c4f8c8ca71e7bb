package api

import (
	"context"
	"net/http"

	"github.com/anam-ai/anam-go/gen"
)

// GetOperation describes an endpoint that fetches one resource by a path
// parameter: its operationId, the parameter's name in the spec (checked
// against the spec's rules, e.g. format: uuid, before sending) and the
// generated method that calls it.
type GetOperation[T any] struct {
	ID    string
	Param string
	Call  func(c *gen.Client, ctx context.Context, id string, editors ...gen.RequestEditorFn) (*http.Response, error)
}

// Get fetches the resource of op named by id and decodes it into a T. An id
// that is empty, "." or ".." is refused whatever the spec says of it, since
// it would change the request's path.
func Get[T any](ctx context.Context, c *Client, op GetOperation[T], id string, editors ...gen.RequestEditorFn) (*T, error) {
	if err := checkArg(op.ID, op.Param, id); err != nil {
		return nil, err
	}
	out := new(T)
	err := c.doJSON(ctx, op.ID, func(ctx context.Context, eds ...gen.RequestEditorFn) (*http.Response, error) {
		return op.Call(c.gen, ctx, id, eds...)
	}, editors, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}
