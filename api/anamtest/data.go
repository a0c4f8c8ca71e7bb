package anamtest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/anam-ai/anam-go/gen"
)

// Avatar is one avatar of a Server's data set: the resource the API
// returns, plus what the fake knows about it that the resource has no field
// for.
type Avatar struct {
	gen.Avatar

	// OneShot marks a one-shot avatar (one an organisation created from a
	// single image): listAvatars with onlyOneShot=true returns only these.
	// The API resource has no field that tells, so the fake keeps it here.
	OneShot bool
}

// storedAvatar is an Avatar with its wire form, encoded once.
type storedAvatar struct {
	Avatar
	json      json.RawMessage
	lowerName string // displayName, lowercased for search
}

// timeLayout is how the API writes timestamps: UTC with exactly three
// fractional digits, as JavaScript's Date.toISOString does. time.Time's own
// JSON encoding would drop ".000".
const timeLayout = "2006-01-02T15:04:05.000Z"

// encodeAvatar is the wire form of a: gen.Avatar's JSON encoding with the
// timestamps written as the API writes them.
func encodeAvatar(a gen.Avatar) (json.RawMessage, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	if a.CreatedAt == nil && a.UpdatedAt == nil {
		return b, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for key, t := range map[string]*time.Time{"createdAt": a.CreatedAt, "updatedAt": a.UpdatedAt} {
		if t != nil {
			m[key] = json.RawMessage(strconv.Quote(t.UTC().Format(timeLayout)))
		}
	}
	return json.Marshal(m) // gen.Avatar's fields are in key order already
}

// exampleAvatars returns the avatars of the document's examples: the data
// of the listAvatars 200 examples, then the getAvatar 200 examples, each in
// media-type and example-name order, deduplicated by ID (the first
// occurrence wins).
func exampleAvatars(ix *specIndex) ([]Avatar, error) {
	var values []any
	collect := func(opID string, list bool) {
		rt := ix.ops[opID]
		if rt == nil {
			return
		}
		resp := rt.kin.Operation.Responses.Status(200)
		if resp == nil || resp.Value == nil {
			return
		}
		for _, ct := range slices.Sorted(maps.Keys(resp.Value.Content)) {
			mt := resp.Value.Content[ct]
			var vs []any
			if mt.Example != nil {
				vs = append(vs, mt.Example)
			}
			for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
				if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
					vs = append(vs, ex.Value.Value)
				}
			}
			for _, v := range vs {
				if !list {
					values = append(values, v)
					continue
				}
				if m, ok := v.(map[string]any); ok {
					if data, ok := m["data"].([]any); ok {
						values = append(values, data...)
					}
				}
			}
		}
	}
	collect(OpListAvatars, true)
	collect(OpGetAvatar, false)

	var out []Avatar
	seen := make(map[string]bool)
	for _, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("anamtest: encode example avatar: %w", err)
		}
		var a gen.Avatar
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("anamtest: example avatar %s: %w", b, err)
		}
		id := ""
		if a.ID != nil {
			id = strings.ToLower(*a.ID)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, Avatar{Avatar: a})
	}
	return out, nil
}

// Generated data. Names repeat with a round number after the first round,
// and share substrings (Liv, Olivia) so that search has something to find.
var (
	genNames    = []string{"Cara", "Leo", "Mia", "Olivia", "Finn", "Nora", "Eli", "Sofia", "Hugo", "Ava", "Oscar", "Isla", "Theo", "Ruby", "Maxine", "Zara"}
	genVariants = []string{"home", "office", "studio", "garden", "desk"}
	genOrgs     = []string{"5f0c1b9e-8d2a-4c7e-9b3f-1a2d3e4f5a6b", "V1StGXR8_Z5jdHi6B-myT"} // a UUID and a nanoid
	genBase     = time.Date(2025, time.January, 6, 9, 0, 0, 0, time.UTC)
)

// GeneratedAvatar returns the i-th (from 0) avatar that WithAvatars
// generates. It depends on i only, so tests can compute what a server
// holds:
//
//   - ID is a version 4 UUID derived from i.
//   - DisplayName cycles through 16 first names ("Cara", "Leo", "Mia",
//     "Olivia", ...); from the second round on, the round number follows
//     ("Cara 2"). VariantName cycles through 5 variants ("home", ...).
//   - CreatedAt and UpdatedAt have milliseconds; UpdatedAt >= CreatedAt.
//   - VideoURL is null when i%4 == 3 (preview still generating).
//   - Avatars with i%3 == 2 are organisation-created (CreatedByOrganizationID
//     alternates between a UUID and a nanoid-style ID); the others are stock
//     (null).
//   - OneShot is set when i%6 == 2: half of the organisation-created ones.
func GeneratedAvatar(i int) Avatar {
	sum := sha256.Sum256([]byte("anamtest/avatar/" + strconv.Itoa(i)))
	sum[6] = sum[6]&0x0f | 0x40 // version 4
	sum[8] = sum[8]&0x3f | 0x80 // RFC 9562 variant
	id := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])

	round := i / len(genNames)
	name := genNames[i%len(genNames)]
	slug := strings.ToLower(name)
	if round > 0 {
		name += " " + strconv.Itoa(round+1)
		slug += "_" + strconv.Itoa(round+1)
	}
	variant := genVariants[i%len(genVariants)]
	created := genBase.Add(time.Duration(i)*26*time.Hour + time.Duration((i*137+41)%1000)*time.Millisecond)
	updated := created.Add(time.Duration(i%7)*24*time.Hour + time.Duration(i*53%1000)*time.Millisecond)
	versions, active := []string{"v1", "v2"}, "v2"
	if i%2 == 1 {
		versions, active = []string{"v2", "cara-4-3"}, "cara-4-3"
	}

	a := gen.Avatar{
		ID:                &id,
		DisplayName:       &name,
		VariantName:       &variant,
		ImageURL:          ptr(fmt.Sprintf("https://lab.anam.ai/persona_thumbnails/%s_%s.png", slug, variant)),
		CreatedAt:         &created,
		UpdatedAt:         &updated,
		AvailableVersions: &versions,
		ActiveVersion:     nullable.NewNullableWithValue(active),
	}
	if i%4 == 3 {
		a.VideoURL = nullable.NewNullNullable[string]()
	} else {
		a.VideoURL = nullable.NewNullableWithValue(fmt.Sprintf(
			"https://anam-prod.r2.cloudflarestorage.com/avatars/v2/anamtest/%s_%s/idling_video.mp4?X-Amz-Expires=3600&X-Amz-Signature=anamtest",
			slug, variant))
	}
	if i%3 == 2 {
		a.CreatedByOrganizationID = nullable.NewNullableWithValue(genOrgs[i%4/2])
	} else {
		a.CreatedByOrganizationID = nullable.NewNullNullable[string]()
	}
	return Avatar{Avatar: a, OneShot: i%6 == 2}
}

func ptr[T any](v T) *T { return &v }

// buildDataSet stores avatars, checking that IDs are unique.
func buildDataSet(avatars []Avatar) ([]storedAvatar, map[string]int, error) {
	out := make([]storedAvatar, 0, len(avatars))
	byID := make(map[string]int, len(avatars))
	for _, a := range avatars {
		b, err := encodeAvatar(a.Avatar)
		if err != nil {
			return nil, nil, fmt.Errorf("anamtest: encode avatar: %w", err)
		}
		s := storedAvatar{Avatar: a, json: b}
		if a.DisplayName != nil {
			s.lowerName = strings.ToLower(*a.DisplayName)
		}
		if a.ID != nil {
			id := strings.ToLower(*a.ID)
			if _, dup := byID[id]; dup {
				return nil, nil, fmt.Errorf("anamtest: two avatars have ID %s", *a.ID)
			}
			byID[id] = len(out)
		}
		out = append(out, s)
	}
	return out, byID, nil
}

// copy returns a deep copy of the stored avatar.
func (s storedAvatar) copy() Avatar {
	var a gen.Avatar
	if err := json.Unmarshal(s.json, &a); err != nil {
		panic("anamtest: decode stored avatar: " + err.Error())
	}
	return Avatar{Avatar: a, OneShot: s.OneShot}
}
