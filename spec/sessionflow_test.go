package spec_test

// The session flow as Anam's published clients run it, checked by a strict
// validator (kin-openapi's openapi3filter and Schema.VisitJSON) against the
// document the SDK is generated from (spec.Prepared, the overlay applied).
// What the clients send and read lives in testdata/sessionflow/wire.json,
// with its sources; nothing here pins a count or shape of the vendored spec.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/anam-ai/anam-go/spec"
)

// wire is testdata/sessionflow/wire.json.
type wire struct {
	// SessionTokenOperations are the operations that take a session token;
	// every other operation must refuse one.
	SessionTokenOperations []string `json:"sessionTokenOperations"`
	// PersonaConfigOperations have a personaConfig property that must be
	// a oneOf telling the configs below apart.
	PersonaConfigOperations []string `json:"personaConfigOperations"`
	PersonaConfigs          []struct {
		Name   string          `json:"name"`
		Value  json.RawMessage `json:"value"`
		Branch string          `json:"branch"` // title of the one branch it matches
	} `json:"personaConfigs"`
	InvalidPersonaConfigs []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	} `json:"invalidPersonaConfigs"`
	Requests []struct {
		Name        string          `json:"name"`
		OperationID string          `json:"operationId"`
		Auth        string          `json:"auth"` // "apiKey" or "sessionToken"
		Body        json.RawMessage `json:"body"`
		Valid       bool            `json:"valid"`
		// RefusedBy says why an invalid request is refused: "security" or
		// "body".
		RefusedBy string `json:"refusedBy"`
	} `json:"requests"`
	Responses []struct {
		Name        string          `json:"name"`
		OperationID string          `json:"operationId"`
		Status      string          `json:"status"`
		Body        json.RawMessage `json:"body"`
		Valid       bool            `json:"valid"`
	} `json:"responses"`
}

func readWire(t *testing.T) wire {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "sessionflow", "wire.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w wire
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		t.Fatalf("testdata/sessionflow/wire.json: %v", err)
	}
	return w
}

func loadPrepared(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(spec.Prepared)
	if err != nil {
		t.Fatalf("load spec.Prepared: %v", err)
	}
	// Examples are speccheck's to validate, with spec/tolerated.yaml.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		t.Fatalf("spec.Prepared is not valid: %v", err)
	}
	return doc
}

// route returns the route of the operation with this operationId, nil if
// the document has none.
func route(doc *openapi3.T, id string) *routers.Route {
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == id {
				return &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			}
		}
	}
	return nil
}

// findOperation returns the route of the operation with this operationId.
// A document without it (an older or smaller upstream, such as the seed
// spec) has nothing of it to check: the test is skipped, saying so, for
// the vendored document may be any.
func findOperation(t *testing.T, doc *openapi3.T, id string) *routers.Route {
	t.Helper()
	r := route(doc, id)
	if r == nil {
		t.Skipf("the document has no operation %q, which Anam's clients call (testdata/sessionflow/wire.json): nothing of it to check", id)
	}
	return r
}

func jsonBody(t *testing.T, op *openapi3.Operation) *openapi3.Schema {
	t.Helper()
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		t.Fatalf("%s has no request body", op.OperationID)
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		t.Fatalf("%s has no JSON request body schema", op.OperationID)
	}
	return mt.Schema.Value
}

func decode(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// matches returns the indexes of the branches of a oneOf that accept v.
func matches(branches openapi3.SchemaRefs, v any) []int {
	var hit []int
	for i, b := range branches {
		if b.Value.VisitJSON(v) == nil {
			hit = append(hit, i)
		}
	}
	return hit
}

func titles(branches openapi3.SchemaRefs, idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, branches[i].Value.Title)
	}
	return out
}

// TestPersonaConfigIsDiscriminable: each persona config a client sends
// matches exactly one branch of personaConfig, the branch the fixture names,
// on every operation that takes one; malformed configs match none.
func TestPersonaConfigIsDiscriminable(t *testing.T) {
	w := readWire(t)
	doc := loadPrepared(t)
	for _, id := range w.PersonaConfigOperations {
		t.Run(id, func(t *testing.T) {
			ref := jsonBody(t, findOperation(t, doc, id).Operation).Properties["personaConfig"]
			if ref == nil || len(ref.Value.OneOf) == 0 {
				t.Fatalf("%s's personaConfig is no oneOf", id)
			}
			pc := ref.Value
			var seen []string
			for i, b := range pc.OneOf {
				switch title := b.Value.Title; {
				case title == "":
					t.Errorf("branch %d of %s's personaConfig has no title, so the SDK can only number it", i, id)
				case slices.Contains(seen, title):
					t.Errorf("two branches of %s's personaConfig are titled %q", id, title)
				default:
					seen = append(seen, title)
				}
			}
			for _, c := range w.PersonaConfigs {
				v := decode(t, c.Value)
				if got := titles(pc.OneOf, matches(pc.OneOf, v)); !slices.Equal(got, []string{c.Branch}) {
					t.Errorf("%s: %s matches branches %q, want exactly %q", c.Name, c.Value, got, c.Branch)
				}
				if err := pc.VisitJSON(v); err != nil {
					t.Errorf("%s: personaConfig refuses %s: %v", c.Name, c.Value, err)
				}
			}
			for _, c := range w.InvalidPersonaConfigs {
				v := decode(t, c.Value)
				if err := pc.VisitJSON(v); err == nil {
					t.Errorf("%s: personaConfig accepts %s (branches %q)", c.Name, c.Value, titles(pc.OneOf, matches(pc.OneOf, v)))
				}
			}
		})
	}
}

// TestPersonaConfigExamples: every example of createSessionToken's request
// body validates, and its personaConfig matches exactly one branch; each
// branch the fixture names is illustrated by an example.
func TestPersonaConfigExamples(t *testing.T) {
	w := readWire(t)
	doc := loadPrepared(t)
	route := findOperation(t, doc, "createSessionToken")
	body := jsonBody(t, route.Operation)
	pc := body.Properties["personaConfig"].Value
	mt := route.Operation.RequestBody.Value.Content.Get("application/json")
	values := map[string]any{}
	for name, ex := range mt.Examples {
		values[name] = ex.Value.Value
	}
	if mt.Example != nil {
		values["example"] = mt.Example
	}
	illustrated := map[string]bool{}
	for name, v := range values {
		if err := body.VisitJSON(v); err != nil {
			t.Errorf("example %q is refused: %v", name, err)
			continue
		}
		obj, _ := v.(map[string]any)
		config, ok := obj["personaConfig"]
		if !ok {
			continue
		}
		got := titles(pc.OneOf, matches(pc.OneOf, config))
		if len(got) != 1 {
			t.Errorf("example %q's personaConfig matches branches %q, want exactly one", name, got)
			continue
		}
		illustrated[got[0]] = true
	}
	var want []string
	for _, c := range w.PersonaConfigs {
		if !slices.Contains(want, c.Branch) {
			want = append(want, c.Branch)
		}
	}
	for _, branch := range want {
		if !illustrated[branch] {
			t.Errorf("no example of createSessionToken illustrates branch %q", branch)
		}
	}
}

// isSessionTokenScheme is the rule anamtest follows too: a bearer scheme
// with bearerFormat JWT is the session-token scheme; any other bearer
// scheme takes the API key.
func isSessionTokenScheme(s *openapi3.SecurityScheme) bool {
	return s != nil && s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") && s.BearerFormat == "JWT"
}

func isAPIKeyScheme(s *openapi3.SecurityScheme) bool {
	return s != nil && s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") && s.BearerFormat != "JWT"
}

// TestSessionTokenSecurity: the operations the fixture names accept a
// session token, as an alternative to the API key; every other operation
// refuses one.
func TestSessionTokenSecurity(t *testing.T) {
	w := readWire(t)
	doc := loadPrepared(t)
	if !slices.ContainsFunc(w.SessionTokenOperations, func(id string) bool { return route(doc, id) != nil }) {
		t.Skipf("the document has none of the operations that take session tokens (%v): nothing to check", w.SessionTokenOperations)
	}
	schemes := doc.Components.SecuritySchemes
	tokenSchemes := 0
	for _, s := range schemes {
		if isSessionTokenScheme(s.Value) {
			tokenSchemes++
			if s.Value.Description == "" {
				t.Error("the session-token scheme has no description")
			}
		}
	}
	if tokenSchemes != 1 {
		t.Fatalf("%d security schemes are bearer JWT, want exactly one session-token scheme", tokenSchemes)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			reqs := doc.Security
			if op.Security != nil {
				reqs = *op.Security
			}
			if len(reqs) == 0 {
				continue // a public operation: nothing to check
			}
			// A requirement is satisfied by one credential when all its
			// schemes are of that credential's kind.
			only := func(kind func(*openapi3.SecurityScheme) bool) bool {
				return slices.ContainsFunc(reqs, func(r openapi3.SecurityRequirement) bool {
					if len(r) == 0 {
						return false
					}
					for name := range r {
						if s := schemes[name]; s == nil || !kind(s.Value) {
							return false
						}
					}
					return true
				})
			}
			where := fmt.Sprintf("%s (%s %s)", op.OperationID, strings.ToUpper(method), path)
			if want := slices.Contains(w.SessionTokenOperations, op.OperationID); only(isSessionTokenScheme) != want {
				t.Errorf("%s accepts a session token: %v, want %v", where, !want, want)
			}
			if !only(isAPIKeyScheme) {
				t.Errorf("%s does not accept the API key", where)
			}
		}
	}
}

// credentials of each kind, shaped like the real ones: an API key is an
// opaque string, a session token a JWT.
var credentials = map[string]string{
	"apiKey":       "anam-go-test-api-key",
	"sessionToken": jwtShaped(map[string]any{"type": "stateful", "accountId": "acc-1", "sessionId": "s-1", "exp": 4102444800}),
}

func jwtShaped(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte("signature"))
}

// authenticate accepts a credential for a scheme of its kind: a JWT for the
// session-token scheme, anything else for an API-key scheme.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	token, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return errors.New("no bearer credential")
	}
	isJWT := strings.Count(token, ".") == 2
	switch {
	case isSessionTokenScheme(in.SecurityScheme) && isJWT:
		return nil
	case isAPIKeyScheme(in.SecurityScheme) && !isJWT:
		return nil
	}
	return fmt.Errorf("scheme %s does not take this credential", in.SecuritySchemeName)
}

// TestWireRequests: what each client sends validates, security included,
// and what it must not send is refused; no value is ambiguous on the way.
func TestWireRequests(t *testing.T) {
	w := readWire(t)
	doc := loadPrepared(t)
	for _, c := range w.Requests {
		t.Run(c.Name, func(t *testing.T) {
			route := findOperation(t, doc, c.OperationID)
			cred, ok := credentials[c.Auth]
			if !ok {
				t.Fatalf("unknown auth %q", c.Auth)
			}
			req, err := http.NewRequest(route.Method, "https://api.anam.ai"+route.Path, bytes.NewReader(c.Body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+cred)
			err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req,
				Route:   route,
				Options: &openapi3filter.Options{AuthenticationFunc: authenticate, MultiError: true},
			})
			what := fmt.Sprintf("%s with %s: %s", c.OperationID, c.Auth, c.Body)
			if judge(t, what, c.Valid, err) {
				unambiguous(t, jsonBody(t, route.Operation), decode(t, c.Body), "body")
			} else if err != nil && !c.Valid {
				var secErr *openapi3filter.SecurityRequirementsError
				if bySecurity := errors.As(err, &secErr); bySecurity != (c.RefusedBy == "security") {
					t.Errorf("%s is refused for another reason than its %s: %v", what, c.RefusedBy, err)
				}
			}
		})
	}
}

// TestWireResponses: what the API answers, as the clients read it,
// validates; answers they could not read are refused.
func TestWireResponses(t *testing.T) {
	w := readWire(t)
	doc := loadPrepared(t)
	for _, c := range w.Responses {
		t.Run(c.Name, func(t *testing.T) {
			route := findOperation(t, doc, c.OperationID)
			var status int
			if _, err := fmt.Sscan(c.Status, &status); err != nil {
				t.Fatalf("status %q: %v", c.Status, err)
			}
			req, _ := http.NewRequest(route.Method, "https://api.anam.ai"+route.Path, nil)
			header := http.Header{"Content-Type": {"application/json"}}
			err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
				Status:                 status,
				Header:                 header,
				Body:                   io.NopCloser(bytes.NewReader(c.Body)),
				Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
			})
			if judge(t, fmt.Sprintf("%s's %s answer %s", c.OperationID, c.Status, c.Body), c.Valid, err) {
				resp := route.Operation.Responses.Value(c.Status)
				unambiguous(t, resp.Value.Content.Get("application/json").Schema.Value, decode(t, c.Body), "body")
			}
		})
	}
}

// judge fails the test when the validator's verdict on what (err) is not
// the fixture's (valid), and reports whether what is valid and accepted.
func judge(t *testing.T, what string, valid bool, err error) bool {
	t.Helper()
	switch {
	case valid && err != nil:
		t.Errorf("%s is refused: %v", what, err)
	case !valid && err == nil:
		t.Errorf("%s is accepted", what)
	}
	return valid && err == nil
}

// unambiguous walks a valid value along its schema and fails the test at
// every oneOf the value does not match exactly one branch of, the defect
// that made {"personaId": ...} unusable.
func unambiguous(t *testing.T, s *openapi3.Schema, v any, at string) {
	t.Helper()
	if s == nil {
		return
	}
	if len(s.OneOf) > 0 {
		hit := matches(s.OneOf, v)
		if len(hit) != 1 {
			t.Errorf("%s matches branches %v of its oneOf (%q), want exactly one", at, hit, titles(s.OneOf, hit))
			return
		}
		unambiguous(t, s.OneOf[hit[0]].Value, v, at)
	}
	for _, sub := range s.AllOf {
		unambiguous(t, sub.Value, v, at)
	}
	switch v := v.(type) {
	case map[string]any:
		for name, p := range s.Properties {
			if pv, ok := v[name]; ok {
				unambiguous(t, p.Value, pv, at+"."+name)
			}
		}
	case []any:
		if s.Items != nil {
			for i, item := range v {
				unambiguous(t, s.Items.Value, item, fmt.Sprintf("%s[%d]", at, i))
			}
		}
	}
}
