package anamtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// Sample is a request to one operation that the server accepts as it is:
// path arguments that name stored items, the required query parameters,
// and a request body generated from the operation's request schema. Tests
// use it to call every operation of a spec without knowing any of them
// (the SDK's own tests do, for each of its typed methods).
type Sample struct {
	// PathArgs are the path arguments, in the order of the path template.
	PathArgs []string
	// Query holds the required query parameters.
	Query url.Values
	// ContentType is the media type of the body: "application/json",
	// "multipart/form-data", or "" when the operation takes none.
	ContentType string
	// Body is the request body as JSON: for a multipart form, its fields
	// other than files.
	Body json.RawMessage
	// Files names the file fields (format: binary) of a multipart form.
	Files []string
}

// Sample returns a request the server accepts for operationID, JSON
// preferred when the operation takes either JSON or a form (multipart
// when preferForm is set and the operation takes one). The same server and
// operation give the same sample.
func (s *Server) Sample(operationID string, preferForm bool) (Sample, error) {
	if err := s.ix.knownOp(operationID); err != nil || operationID == AllOperations {
		return Sample{}, fmt.Errorf("anamtest: Sample: unknown operationId %q", operationID)
	}
	rt := s.ix.ops[operationID]
	smp := Sample{Query: url.Values{}}
	for _, seg := range rt.segments {
		switch {
		case seg.param == "":
		case rt.res != nil && seg.param == rt.idParam && rt.kind >= kindGet:
			smp.PathArgs = append(smp.PathArgs, s.firstID(rt.res))
		case rt.parent != nil && seg.param == rt.parentParam:
			smp.PathArgs = append(smp.PathArgs, s.firstID(rt.parent))
		default:
			smp.PathArgs = append(smp.PathArgs, fmt.Sprint(s.gen.value(routeParam(rt, seg.param), "path", seg.param, 0, 0, true)))
		}
	}
	for _, p := range append(slices.Clone(rt.kin.PathItem.Parameters), rt.kin.Operation.Parameters...) {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && p.Value.Required {
			smp.Query.Set(p.Value.Name, fmt.Sprint(s.gen.value(p.Value.Schema, "query", p.Value.Name, 0, 0, true)))
		}
	}
	rb := rt.kin.Operation.RequestBody
	if rb == nil || rb.Value == nil || len(rb.Value.Content) == 0 {
		return smp, nil
	}
	cts := slices.Sorted(maps.Keys(rb.Value.Content))
	ct := cts[0]
	for _, x := range cts {
		if isJSON(x) != preferForm {
			ct = x
			break
		}
	}
	schema := rb.Value.Content[ct].Schema
	v := s.gen.value(schema, "request", "", 1, 0, true)
	if isJSON(ct) {
		smp.ContentType = "application/json"
	} else {
		smp.ContentType = ct
		fields, _ := v.(map[string]any)
		for name, p := range properties(schema.Value) {
			if p.Value != nil && p.Value.Format == "binary" {
				smp.Files = append(smp.Files, name)
				delete(fields, name)
			}
		}
		slices.Sort(smp.Files)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Sample{}, fmt.Errorf("anamtest: Sample(%s): %w", operationID, err)
	}
	smp.Body = body
	return smp, nil
}

// firstID is the ID of the first stored item of res, or a fresh UUID when
// it holds none (the operation then answers 404).
func (s *Server) firstID(res *resource) string {
	for _, item := range s.Items(res.key) {
		var m map[string]any
		if json.Unmarshal(item, &m) == nil {
			if id, ok := m[res.idField].(string); ok {
				return id
			}
		}
	}
	return s.gen.uuid("sample", res.key)
}

func routeParam(rt *route, name string) *openapi3.SchemaRef {
	for _, p := range append(slices.Clone(rt.kin.PathItem.Parameters), rt.kin.Operation.Parameters...) {
		if p.Value != nil && p.Value.Name == name {
			return p.Value.Schema
		}
	}
	return nil
}
