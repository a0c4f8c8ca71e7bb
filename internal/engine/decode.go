package engine

import (
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/oapi-codegen/nullable"
)

// The SDK decodes response bodies with github.com/go-json-experiment/json,
// the encoding/json/v2 design as a module (which aliases the standard
// library's encoding/json/v2 where the toolchain has it), with every
// behaviour of encoding/json: jsonv1.DefaultOptionsV1 (names matched
// without regard to case, duplicate names and invalid UTF-8 accepted,
// UnmarshalJSON methods called as encoding/json calls them, its errors).
// It decodes in one pass, where encoding/json scans the whole body for
// validity first and then decodes it, and it allocates less: a page of
// 100 avatars costs about two thirds of the CPU time (bench/decode_test.go,
// `make bench`). TestUnmarshalMatchesEncodingJSON and
// FuzzUnmarshalMatchesEncodingJSON hold it to encoding/json's results.

// decodeOptions are the options of every decoding.
var decodeOptions = json.JoinOptions(
	jsonv1.DefaultOptionsV1(),
	json.WithUnmarshalers(json.JoinUnmarshalers(
		nullableFrom[string](), nullableFrom[int](), nullableFrom[float32](),
		nullableFrom[float64](), nullableFrom[bool](), nullableFrom[time.Time](),
	)),
)

// nullableFrom decodes a nullable.Nullable[T] in the decoding's own pass.
// Nullable's UnmarshalJSON, which it replaces for these T, gets the
// value's bytes and decodes them with encoding/json (a second scan, and
// a decoder of its own, per value); this decodes T from the same decoder,
// with the same result: null is the null state, anything else a value.
// Any other T still goes through UnmarshalJSON.
func nullableFrom[T any]() *json.Unmarshalers {
	return json.UnmarshalFromFunc(func(d *jsontext.Decoder, n *nullable.Nullable[T]) error {
		if d.PeekKind() == 'n' {
			if _, err := d.ReadToken(); err != nil {
				return err
			}
			n.SetNull()
			return nil
		}
		var v T
		if err := json.UnmarshalDecode(d, &v); err != nil {
			return err
		}
		n.Set(v)
		return nil
	})
}

// UnmarshalJSON decodes the JSON document data into out as
// encoding/json.Unmarshal does, faster (see decodeOptions).
func UnmarshalJSON(data []byte, out any) error {
	return json.Unmarshal(data, out, decodeOptions)
}
