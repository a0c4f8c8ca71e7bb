package bench_test

import (
	"encoding/json"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/oapi-codegen/nullable"

	"github.com/anam-ai/anam-go/gen"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// BenchmarkDecodePage decodes one page of 100 avatars (44 KB, as the API
// sends them) into the {data, meta} envelope, in memory, with each
// decoding strategy considered for the SDK (issue 21):
//
//   - v1: encoding/json's Unmarshal, as the SDK did (a validity scan of
//     the whole body, then the decoding; each nullable.Nullable field
//     decodes its value with a nested json.Unmarshal, into a new map);
//   - v2: github.com/go-json-experiment/json (the encoding/json/v2 design,
//     as a module) with encoding/json's semantics where they differ
//     (names matched without regard to case, duplicate names and invalid
//     UTF-8 accepted), one pass;
//   - v2-strict: the same with json/v2's own defaults, which refuse what
//     v1 accepts;
//   - v2-v1semantics: v2 with jsonv1.DefaultOptionsV1(), every behaviour of
//     encoding/json (its go-json-experiment/json/v1 twin passes
//     encoding/json's tests), errors included;
//   - v2-v1semantics-onepass: the same but for legacy errors, whose
//     reporting makes json/v2 scan the whole body for validity first, as
//     encoding/json does;
//   - -nullable: with an unmarshaler per nullable.Nullable[T] that
//     decodes T in the same pass; v2-v1semantics-nullable is what the SDK
//     does now (internal/engine's UnmarshalJSON, which this module cannot
//     name without breaking benchrun -base on older revisions);
//   - v2-nullable: v2, with an unmarshaler per nullable.Nullable[T] that
//     decodes T in the same pass (what generated code could register);
//   - v1-structnullable, v2-structnullable: the same models with a
//     struct (value, state) in place of nullable.Nullable's map: a change
//     of every model's type, which is a breaking change of the SDK's API.
//
// Run with GOEXPERIMENT=jsonv2 (benchrun -jsonv2), v1 is encoding/json
// re-implemented on json/v2's decoder.
func BenchmarkDecodePage(b *testing.B) {
	body := loopback.AppendPage(nil, serverTotal, 2, 100, false)
	compat := jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	withNullable := jsonv2.JoinOptions(compat, jsonv2.WithUnmarshalers(nullableUnmarshalers))
	dec := func(name string, decode func() (int, error)) {
		b.Run("dec="+name, func(b *testing.B) {
			loop(b, func() {
				if n, err := decode(); err != nil || n != 100 {
					b.Fatal(n, err)
				}
			})
		})
	}
	dec("v1", func() (int, error) {
		var e sdkEnvelope
		err := json.Unmarshal(body, &e)
		return lenOf(e.Data), err
	})
	dec("v2", func() (int, error) {
		var e sdkEnvelope
		err := jsonv2.Unmarshal(body, &e, compat)
		return lenOf(e.Data), err
	})
	dec("v2-strict", func() (int, error) {
		var e sdkEnvelope
		err := jsonv2.Unmarshal(body, &e)
		return lenOf(e.Data), err
	})
	v1semantics := jsonv1.DefaultOptionsV1()
	dec("v2-v1semantics", func() (int, error) {
		var e sdkEnvelope
		err := jsonv2.Unmarshal(body, &e, v1semantics)
		return lenOf(e.Data), err
	})
	v1semanticsNullable := jsonv2.JoinOptions(v1semantics, jsonv2.WithUnmarshalers(nullableUnmarshalers))
	dec("v2-v1semantics-nullable", func() (int, error) {
		var e sdkEnvelope
		err := jsonv2.Unmarshal(body, &e, v1semanticsNullable)
		return lenOf(e.Data), err
	})
	onePass := jsonv2.JoinOptions(v1semantics, jsonv1.ReportErrorsWithLegacySemantics(false))
	dec("v2-v1semantics-onepass", func() (int, error) {
		var e sdkEnvelope
		err := jsonv2.Unmarshal(body, &e, onePass)
		return lenOf(e.Data), err
	})
	onePassNullable := jsonv2.JoinOptions(onePass, jsonv2.WithUnmarshalers(nullableUnmarshalers))
	dec("v2-v1semantics-onepass-nullable", func() (int, error) {
		var e sdkEnvelope
		err := jsonv2.Unmarshal(body, &e, onePassNullable)
		return lenOf(e.Data), err
	})
	dec("v2-nullable", func() (int, error) {
		var e sdkEnvelope
		err := jsonv2.Unmarshal(body, &e, withNullable)
		return lenOf(e.Data), err
	})
	dec("v1-structnullable", func() (int, error) {
		var e structEnvelope
		err := json.Unmarshal(body, &e)
		return lenOf(e.Data), err
	})
	dec("v2-structnullable", func() (int, error) {
		var e structEnvelope
		err := jsonv2.Unmarshal(body, &e, compat)
		return lenOf(e.Data), err
	})
}

func lenOf[T any](s *[]T) int {
	if s == nil {
		return -1
	}
	return len(*s)
}

// sdkEnvelope is the envelope the SDK decodes a page of avatars into.
type sdkEnvelope struct {
	Data *[]gen.Avatar   `json:"data"`
	Meta *gen.Pagination `json:"meta"`
}

// nullableUnmarshalers decode the nullable.Nullable types of an avatar
// page without a nested Unmarshal.
var nullableUnmarshalers = jsonv2.JoinUnmarshalers(nullableFrom[string](), nullableFrom[int]())

func nullableFrom[T any]() *jsonv2.Unmarshalers {
	return jsonv2.UnmarshalFromFunc(func(d *jsontext.Decoder, n *nullable.Nullable[T]) error {
		if d.PeekKind() == 'n' {
			_, err := d.ReadToken()
			n.SetNull()
			return err
		}
		var v T
		if err := jsonv2.UnmarshalDecode(d, &v); err != nil {
			return err
		}
		n.Set(v)
		return nil
	})
}

// opt is a nullable value as a struct: absent (the zero value), null, or
// a value.
type opt[T any] struct {
	v     T
	state uint8 // 0 absent, 1 null, 2 a value
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		o.state = 1
		return nil
	}
	o.state = 2
	return json.Unmarshal(b, &o.v)
}

func (o *opt[T]) UnmarshalJSONFrom(d *jsontext.Decoder) error {
	if d.PeekKind() == 'n' {
		_, err := d.ReadToken()
		o.state = 1
		return err
	}
	o.state = 2
	return jsonv2.UnmarshalDecode(d, &o.v)
}

// structAvatar is gen.Avatar with opt in place of nullable.Nullable.
type structAvatar struct {
	ActiveVersion           opt[string]            `json:"activeVersion,omitempty"`
	AvailableVersions       *[]string              `json:"availableVersions,omitempty"`
	CreatedAt               *time.Time             `json:"createdAt,omitempty"`
	CreatedByOrganizationID opt[string]            `json:"createdByOrganizationId,omitempty"`
	Description             opt[string]            `json:"description,omitempty"`
	DisplayName             *string                `json:"displayName,omitempty"`
	DisplayTags             *[]string              `json:"displayTags,omitempty"`
	ID                      *string                `json:"id,omitempty"`
	IdleVideoURL            opt[string]            `json:"idleVideoUrl,omitempty"`
	ImageURL                *string                `json:"imageUrl,omitempty"`
	LandscapeImageURL       opt[string]            `json:"landscapeImageUrl,omitempty"`
	PortraitImageURL        opt[string]            `json:"portraitImageUrl,omitempty"`
	RenderStyle             *gen.AvatarRenderStyle `json:"renderStyle,omitempty"`
	UpdatedAt               *time.Time             `json:"updatedAt,omitempty"`
	VariantName             *string                `json:"variantName,omitempty"`
	VideoURL                opt[string]            `json:"videoUrl,omitempty"`
}

type structPagination struct {
	CurrentPage *int     `json:"currentPage,omitempty"`
	LastPage    *int     `json:"lastPage,omitempty"`
	Next        opt[int] `json:"next,omitempty"`
	PerPage     *int     `json:"perPage,omitempty"`
	Prev        opt[int] `json:"prev,omitempty"`
	Total       *int     `json:"total,omitempty"`
}

type structEnvelope struct {
	Data *[]structAvatar   `json:"data"`
	Meta *structPagination `json:"meta"`
}
