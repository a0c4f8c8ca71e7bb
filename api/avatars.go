package api

import (
	"context"
	"iter"

	"github.com/anam-ai/anam-go/gen"
)

// Avatar is a face preset that a persona can use as its visual
// representation. Fields the spec marks nullable (VideoURL,
// CreatedByOrganizationID) tell "absent", "null" and a value apart.
type Avatar = gen.Avatar

// ListAvatarsParams are the query parameters of ListAvatars. Every field is
// optional; with Go 1.26, new(v) makes the pointers:
//
//	&api.ListAvatarsParams{Search: new("liv"), PerPage: new(50)}
type ListAvatarsParams = gen.ListAvatarsParams

// ListAvatarsOp is the listAvatars operation, for ListPage, ListPages and
// ListAll.
var ListAvatarsOp = ListOperation[gen.ListAvatarsParams, gen.Avatar]{ID: "listAvatars", Call: (*gen.Client).ListAvatars}

// GetAvatarOp is the getAvatar operation, for Get.
var GetAvatarOp = GetOperation[gen.Avatar]{ID: "getAvatar", Param: "id", Call: (*gen.Client).GetAvatar}

// ListAvatars returns one page of avatars with its pagination metadata.
// params may be nil (page 1 of 10). A search that matches nothing is an
// empty page, not an error.
func (c *Client) ListAvatars(ctx context.Context, params *ListAvatarsParams, editors ...gen.RequestEditorFn) (*Page[Avatar], error) {
	return ListPage(ctx, c, ListAvatarsOp, params, editors...)
}

// Avatars returns an iterator over every avatar matching params, across
// all pages from params.Page (or 1) on. See ListAll.
func (c *Client) Avatars(ctx context.Context, params *ListAvatarsParams, editors ...gen.RequestEditorFn) iter.Seq2[Avatar, error] {
	return ListAll(ctx, c, ListAvatarsOp, params, editors...)
}

// AvatarPages returns an iterator over the pages of avatars matching
// params. See ListPages.
func (c *Client) AvatarPages(ctx context.Context, params *ListAvatarsParams, editors ...gen.RequestEditorFn) iter.Seq2[*Page[Avatar], error] {
	return ListPages(ctx, c, ListAvatarsOp, params, editors...)
}

// ListAllAvatars returns every avatar matching params, in one slice.
func (c *Client) ListAllAvatars(ctx context.Context, params *ListAvatarsParams, editors ...gen.RequestEditorFn) ([]Avatar, error) {
	return Collect(c.Avatars(ctx, params, editors...))
}

// GetAvatar returns the avatar with the given ID, a UUID. A malformed ID is
// refused with an *ArgumentError before any request is sent; an unknown
// one is an *Error matching ErrNotFound.
func (c *Client) GetAvatar(ctx context.Context, id string, editors ...gen.RequestEditorFn) (*Avatar, error) {
	return Get(ctx, c, GetAvatarOp, id, editors...)
}
