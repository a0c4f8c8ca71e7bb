package anamtest

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// checkOp panics unless id names an operation of the document or is
// AllOperations: a typo would otherwise make a fault or a counter silently
// never apply.
func (ix *specIndex) checkOp(id string) {
	if err := ix.knownOp(id); err != nil {
		panic(err.Error())
	}
}

// knownOp returns an error unless id names an operation of the document or
// is AllOperations.
func (ix *specIndex) knownOp(id string) error {
	if id == AllOperations {
		return nil
	}
	if _, ok := ix.ops[id]; !ok {
		ids := slices.Sorted(maps.Keys(ix.ops))
		if len(ids) > 12 {
			ids = append(ids[:12], "...")
		}
		return fmt.Errorf("anamtest: unknown operationId %q (the spec has %s; or use %q)",
			id, strings.Join(ids, ", "), AllOperations)
	}
	return nil
}

// Format validators for the formats the document uses. kin-openapi checks
// only date, date-time and byte by default, through a process-wide registry;
// these are passed per validation instead, so the fake changes nothing for
// other users of kin-openapi in the same test binary.
var (
	uuidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	dateTimeRE = regexp.MustCompile(openapi3.FormatOfStringDateTime)

	formatValidators = map[string]openapi3.StringFormatValidator{
		"uuid": openapi3.NewCallbackValidator(func(s string) error {
			if !uuidRE.MatchString(s) {
				return errors.New("want 8-4-4-4-12 hexadecimal digits")
			}
			return nil
		}),
		"date-time": openapi3.NewCallbackValidator(func(s string) error {
			if !dateTimeRE.MatchString(s) {
				return errors.New("want an RFC 3339 date-time such as 2026-04-20T10:00:00.000Z")
			}
			return nil
		}),
		"uri": openapi3.NewCallbackValidator(func(s string) error {
			if u, err := url.Parse(s); err != nil || u.Scheme == "" {
				return errors.New("want an absolute URI")
			}
			return nil
		}),
	}
)

// filterOptions are the openapi3filter options of a Server, whose
// credentials auth checks; noBody leaves JSON bodies to the compiled
// validators (see validateRequest and validateResponse).
func filterOptions(auth openapi3filter.AuthenticationFunc, noBody bool) *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		ExcludeRequestBody:    noBody,
		ExcludeResponseBody:   noBody,
		AuthenticationFunc:    auth,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.WithStringFormatValidators(formatValidators),
		},
	}
}

// maxProblems bounds the problems an error message lists.
const maxProblems = 5

// describe turns a kin-openapi validation error into one concise line that
// names each problem (parameter or JSON pointer, and the rule broken)
// without kin-openapi's dump of the schema and the value.
func describe(err error) string {
	ps := problems(nil, "", err)
	if len(ps) == 0 {
		return err.Error()
	}
	ps = slices.Compact(ps)
	if len(ps) > maxProblems {
		more := len(ps) - maxProblems
		ps = append(ps[:maxProblems:maxProblems], fmt.Sprintf("and %d more", more))
	}
	return strings.Join(ps, "; ")
}

func problems(out []string, prefix string, err error) []string {
	switch e := err.(type) {
	case nil:
		return out
	case openapi3.MultiError:
		for _, sub := range e {
			out = problems(out, prefix, sub)
		}
		return out
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			prefix = fmt.Sprintf("parameter %q in %s: ", e.Parameter.Name, e.Parameter.In)
		case e.RequestBody != nil:
			prefix = "request body: "
		}
		if e.Err == nil {
			return append(out, prefix+e.Reason)
		}
		if e.Reason != "" && e.Reason != e.Err.Error() {
			prefix += e.Reason + ": "
		}
		return problems(out, prefix, e.Err)
	case *openapi3filter.ResponseError:
		var se *openapi3.SchemaError
		var me openapi3.MultiError
		if e.Err != nil && (errors.As(e.Err, &se) || errors.As(e.Err, &me)) {
			return problems(out, prefix, e.Err)
		}
		return append(out, prefix+e.Error())
	case *bodyError:
		return problems(out, prefix+e.where+": ", e.err)
	case *jsonschema.ValidationError:
		return validationProblems(out, prefix, e)
	case *openapi3.SchemaError:
		var me openapi3.MultiError
		if e.Origin != nil && errors.As(e.Origin, &me) {
			return problems(out, prefix, me)
		}
		at := ""
		if p := e.JSONPointer(); len(p) > 0 {
			at = "/" + strings.Join(p, "/") + ": "
		}
		return append(out, prefix+at+cleanReason(e))
	default:
		return append(out, prefix+err.Error())
	}
}

var (
	errorAtRE = regexp.MustCompile(`^error at "[^"]*": `)
	atRE      = regexp.MustCompile(`^at '[^']*': `)
)

// cleanReason is the reason of a leaf SchemaError, without the location
// prefixes that the JSON Schema 2020-12 validator adds (the caller prints
// the location itself) and on one line.
func cleanReason(e *openapi3.SchemaError) string {
	r := e.Reason
	if r == "" {
		r = fmt.Sprintf("doesn't match schema %q", e.SchemaField)
	}
	if i := strings.LastIndex(r, "\n- "); i >= 0 {
		r = r[i+3:]
	}
	r = errorAtRE.ReplaceAllString(r, "")
	r = atRE.ReplaceAllString(r, "")
	r, _, _ = strings.Cut(r, "\n")
	return r
}
