package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/bench/oapigen"
	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// benchAvatarID is the avatar every Get benchmark fetches.
var benchAvatarID = loopback.AvatarID(1)

const (
	personaID   = "071b0286-4cce-4808-bee2-e642f1062de3"
	personaJSON = `{"id":"` + personaID + `","name":"Cara","createdAt":"2026-07-01T10:00:00.000Z"}`
)

// newTransport is the transport of the hand-written and oapi-codegen
// clients: net/http's default one with the SDK's default pool size.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return t
}

// handClient is the baseline: net/http and encoding/json used the way a
// careful engineer would without an SDK: the whole body read, then
// json.Unmarshal into the generated types.
type handClient struct {
	hc   *http.Client
	base string
	auth string
}

func newHandClient(base string, hc *http.Client) *handClient {
	if hc == nil {
		hc = &http.Client{Transport: newTransport()}
	}
	return &handClient{hc: hc, base: base, auth: "Bearer " + testKey}
}

// do sends req and decodes a want-status JSON body into out.
func (h *handClient) do(req *http.Request, want int, out any) error {
	req.Header.Set("Authorization", h.auth)
	req.Header.Set("Accept", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	return json.Unmarshal(body, out)
}

func (h *handClient) getAvatar(ctx context.Context, id string) (*gen.Avatar, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"/v1/avatars/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	var a gen.Avatar
	if err := h.do(req, http.StatusOK, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// avatarPage is the hand-written client's own envelope type.
type avatarPage struct {
	Data []gen.Avatar   `json:"data"`
	Meta gen.Pagination `json:"meta"`
}

func (h *handClient) listAvatars(ctx context.Context, page, perPage int) (*avatarPage, error) {
	u := h.base + "/v1/avatars?page=" + strconv.Itoa(page) + "&perPage=" + strconv.Itoa(perPage)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var l avatarPage
	if err := h.do(req, http.StatusOK, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

func (h *handClient) createPersona(ctx context.Context, body *api.CreatePersonaRequest) (*gen.Persona, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/v1/personas", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var p gen.Persona
	if err := h.do(req, http.StatusCreated, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// newSDK is the SDK's client for base, on hc (nil: its own).
func newSDK(tb testing.TB, base string, hc *http.Client, opts ...api.Option) *api.Client {
	tb.Helper()
	opts = append([]api.Option{api.WithAPIKey(testKey), api.WithBaseURL(base)}, opts...)
	if hc != nil {
		opts = append(opts, api.WithHTTPClient(hc))
	}
	c, err := api.NewClient(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newCodegenClient is a plain oapi-codegen ClientWithResponses, generated
// for this benchmark from the same document, with the same transport
// settings (or hc) and authentication: the generated client the SDK's
// typed calls must not be slower than.
func newCodegenClient(tb testing.TB, base string, hc *http.Client) *oapigen.ClientWithResponses {
	tb.Helper()
	if hc == nil {
		hc = &http.Client{Transport: newTransport()}
	}
	c, err := oapigen.NewClientWithResponses(base, oapigen.WithHTTPClient(hc), oapigen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+testKey)
		return nil
	}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The three calls every implementation makes, as benchmarks of the three
// implementations on base over hc (nil: each its own transport).

func getAvatarImpls(base string, hc *http.Client) []impl {
	ctx := context.Background()
	return []impl{
		{"sdk", func(b *testing.B) {
			c := newSDK(b, base, hc)
			op := func() error {
				a, err := c.GetAvatar(ctx, benchAvatarID)
				if err == nil && a.GetID() != benchAvatarID {
					err = fmt.Errorf("got %+v", a)
				}
				return err
			}
			measure(b, op)
		}},
		{"oapi-codegen", func(b *testing.B) {
			c := newCodegenClient(b, base, hc)
			op := func() error {
				r, err := c.GetAvatarWithResponse(ctx, benchAvatarID)
				if err == nil && (r.JSON200 == nil || *r.JSON200.ID != benchAvatarID) {
					err = fmt.Errorf("got %s", r.Status())
				}
				return err
			}
			measure(b, op)
		}},
		{"nethttp", func(b *testing.B) {
			h := newHandClient(base, hc)
			op := func() error {
				a, err := h.getAvatar(ctx, benchAvatarID)
				if err == nil && a.GetID() != benchAvatarID {
					err = fmt.Errorf("got %+v", a)
				}
				return err
			}
			measure(b, op)
		}},
	}
}

func listPageImpls(base string, hc *http.Client) []impl {
	ctx := context.Background()
	return []impl{
		{"sdk", func(b *testing.B) {
			c := newSDK(b, base, hc)
			params := &api.ListAvatarsParams{Page: new(2), PerPage: new(100)}
			measure(b, func() error {
				p, err := c.ListAvatars(ctx, params)
				if err == nil && len(p.Items) != 100 {
					err = fmt.Errorf("%d items", len(p.Items))
				}
				return err
			})
		}},
		{"oapi-codegen", func(b *testing.B) {
			c := newCodegenClient(b, base, hc)
			params := &oapigen.ListAvatarsParams{Page: new(2), PerPage: new(100)}
			measure(b, func() error {
				r, err := c.ListAvatarsWithResponse(ctx, params)
				if err == nil && (r.JSON200 == nil || r.JSON200.Data == nil || len(*r.JSON200.Data) != 100) {
					err = fmt.Errorf("got %s", r.Status())
				}
				return err
			})
		}},
		{"nethttp", func(b *testing.B) {
			h := newHandClient(base, hc)
			measure(b, func() error {
				l, err := h.listAvatars(ctx, 2, 100)
				if err == nil && len(l.Data) != 100 {
					err = fmt.Errorf("%d items", len(l.Data))
				}
				return err
			})
		}},
	}
}

func createPersonaImpls(base string, hc *http.Client) []impl {
	ctx := context.Background()
	body := api.CreatePersonaRequest{Name: new("Cara"), AvatarID: new(benchAvatarID), SystemPrompt: new("You are Cara, a helpful guide."), SkipGreeting: new(false)}
	codegenBody := oapigen.CreatePersonaRequest{Name: new("Cara"), AvatarID: new(benchAvatarID), SystemPrompt: new("You are Cara, a helpful guide."), SkipGreeting: new(false)}
	return []impl{
		{"sdk", func(b *testing.B) {
			c := newSDK(b, base, hc)
			measure(b, func() error {
				p, err := c.CreatePersona(ctx, body)
				if err == nil && p.GetID() != personaID {
					err = fmt.Errorf("got %+v", p)
				}
				return err
			})
		}},
		{"oapi-codegen", func(b *testing.B) {
			c := newCodegenClient(b, base, hc)
			measure(b, func() error {
				r, err := c.CreatePersonaWithResponse(ctx, codegenBody)
				if err == nil && (r.JSON201 == nil || r.JSON201.ID == nil || *r.JSON201.ID != personaID) {
					err = fmt.Errorf("got %s", r.Status())
				}
				return err
			})
		}},
		{"nethttp", func(b *testing.B) {
			h := newHandClient(base, hc)
			measure(b, func() error {
				p, err := h.createPersona(ctx, &body)
				if err == nil && p.GetID() != personaID {
					err = fmt.Errorf("got %+v", p)
				}
				return err
			})
		}},
	}
}

// measure warms op up, then measures it with loop; an error fails b.
func measure(b *testing.B, op func() error) {
	b.Helper()
	warm(b, 50, op)
	loop(b, func() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkGetAvatar fetches one avatar (about 430 bytes of JSON) from the
// loopback server.
func BenchmarkGetAvatar(b *testing.B) { runImpls(b, getAvatarImpls(serverURL(b, 0), nil)...) }

// BenchmarkListPage100 fetches a page of 100 avatars (about 44 KB of
// JSON) from the loopback server.
func BenchmarkListPage100(b *testing.B) { runImpls(b, listPageImpls(serverURL(b, 0), nil)...) }

// BenchmarkCreatePersona sends a JSON POST (createPersona) to the
// loopback server and decodes its 201.
func BenchmarkCreatePersona(b *testing.B) {
	runImpls(b, createPersonaImpls(serverURL(b, 0), nil)...)
}
