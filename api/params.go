package api

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/anam-ai/anam-go/spec"
)

// The SDK checks arguments against the rules the spec states for each
// operation's parameters (minimum, maximum, enum, format: uuid...), before
// any request is sent. The rules are read from the embedded spec, so an
// operation added by regenerating from a larger spec is checked with no
// new code here.

// paramRule is what the spec says about one parameter.
type paramRule struct {
	name      string
	in        string
	required  bool
	typ       string
	format    string
	minimum   *float64
	maximum   *float64
	minLength *int
	maxLength *int
	enum      []any
}

type specParameter struct {
	Ref      string `json:"$ref"`
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
	Schema   struct {
		Type      json.RawMessage `json:"type"`
		Format    string          `json:"format"`
		Minimum   *float64        `json:"minimum"`
		Maximum   *float64        `json:"maximum"`
		MinLength *int            `json:"minLength"`
		MaxLength *int            `json:"maxLength"`
		Enum      []any           `json:"enum"`
	} `json:"schema"`
}

// rules maps operationId to parameter name to rule.
var rules = sync.OnceValue(func() map[string]map[string]*paramRule {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]specParameter `json:"parameters"`
		} `json:"components"`
	}
	out := map[string]map[string]*paramRule{}
	if err := json.Unmarshal(spec.JSON, &doc); err != nil {
		return out // the spec's own tests fail loudly on a broken document
	}
	resolve := func(p specParameter) specParameter {
		if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
			return doc.Components.Parameters[name]
		}
		return p
	}
	for _, item := range doc.Paths {
		var shared []specParameter
		if raw, ok := item["parameters"]; ok {
			_ = json.Unmarshal(raw, &shared)
		}
		for method, raw := range item {
			if method == "parameters" || strings.HasPrefix(method, "x-") {
				continue
			}
			var op struct {
				OperationID string          `json:"operationId"`
				Parameters  []specParameter `json:"parameters"`
			}
			if json.Unmarshal(raw, &op) != nil || op.OperationID == "" {
				continue
			}
			m := map[string]*paramRule{}
			for _, p := range append(append([]specParameter{}, shared...), op.Parameters...) {
				p = resolve(p)
				r := &paramRule{name: p.Name, in: p.In, required: p.Required || p.In == "path",
					format: p.Schema.Format, minimum: p.Schema.Minimum, maximum: p.Schema.Maximum,
					minLength: p.Schema.MinLength, maxLength: p.Schema.MaxLength, enum: p.Schema.Enum}
				var t string
				if json.Unmarshal(p.Schema.Type, &t) != nil {
					var ts []string
					_ = json.Unmarshal(p.Schema.Type, &ts)
					for _, x := range ts {
						if x != "null" {
							t = x
						}
					}
				}
				r.typ = t
				m[p.Name] = r
			}
			out[op.OperationID] = m
		}
	}
	return out
})

// checkArg checks a path argument against its parameter's rule. A path
// parameter the spec says nothing of still gets the rule every path
// parameter has: a non-empty value, other than "." and "..".
func checkArg(op, name string, v any) error {
	r := rules()[op][name]
	if r == nil {
		r = &paramRule{name: name, in: "path", required: true}
	}
	if msg := r.violation(v); msg != "" {
		return &ArgumentError{Operation: op, Name: name, Value: v, Rule: msg}
	}
	return nil
}

// violation returns what v fails to be, or "" when it is fine.
func (r *paramRule) violation(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" && r.required {
			return "a non-empty value"
		}
		if r.format == "uuid" && !isUUID(x) {
			return "a UUID such as 071b0286-4cce-4808-bee2-e642f1062de3"
		}
		// The generated client escapes "/", "?" and "#", but the URL
		// resolution it relies on removes "." and ".." segments, which
		// would send the request to another path.
		if r.in == "path" && (x == "." || x == "..") {
			return `a path segment other than "." and ".."`
		}
		if r.minLength != nil && len([]rune(x)) < *r.minLength || r.maxLength != nil && len([]rune(x)) > *r.maxLength {
			return r.describe()
		}
		if !r.inEnum(x) {
			return r.describe()
		}
	case int:
		f := float64(x)
		if r.minimum != nil && f < *r.minimum || r.maximum != nil && f > *r.maximum || !r.inEnum(x) {
			return r.describe()
		}
	}
	return ""
}

func (r *paramRule) inEnum(v any) bool {
	if len(r.enum) == 0 {
		return true
	}
	for _, e := range r.enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

func (r *paramRule) describe() string {
	kind := r.typ
	if kind == "" {
		kind = "value"
	}
	if kind == "integer" {
		kind = "an integer"
	} else {
		kind = "a " + kind
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	switch {
	case len(r.enum) > 0:
		parts := make([]string, len(r.enum))
		for i, e := range r.enum {
			parts[i] = fmt.Sprint(e)
		}
		return "one of " + strings.Join(parts, ", ")
	case r.minimum != nil && r.maximum != nil:
		return fmt.Sprintf("%s from %s to %s", kind, num(*r.minimum), num(*r.maximum))
	case r.minimum != nil:
		return fmt.Sprintf("%s of at least %s", kind, num(*r.minimum))
	case r.maximum != nil:
		return fmt.Sprintf("%s of at most %s", kind, num(*r.maximum))
	case r.minLength != nil || r.maxLength != nil:
		lo, hi := 0, math.MaxInt
		if r.minLength != nil {
			lo = *r.minLength
		}
		if r.maxLength != nil {
			hi = *r.maxLength
		}
		if hi == math.MaxInt {
			return fmt.Sprintf("%s of at least %d characters", kind, lo)
		}
		return fmt.Sprintf("%s of %d to %d characters", kind, lo, hi)
	}
	return kind
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// fieldCheck is one struct field of a generated Params type matched to the
// rule of the parameter it carries (by its `form` tag).
type fieldCheck struct {
	index []int
	rule  *paramRule
}

type checksKey struct {
	op string
	t  reflect.Type
}

var checksCache sync.Map // checksKey -> []fieldCheck

// checkParams checks every set field of a generated Params struct (pointer
// fields, nil meaning "not sent") against the spec's rules.
func checkParams(op string, params any) error {
	v := reflect.ValueOf(params)
	if !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	v = reflect.Indirect(v)
	if v.Kind() != reflect.Struct {
		return nil
	}
	key := checksKey{op, v.Type()}
	cached, ok := checksCache.Load(key)
	if !ok {
		cached, _ = checksCache.LoadOrStore(key, fieldChecks(op, v.Type()))
	}
	for _, fc := range cached.([]fieldCheck) {
		f := v.FieldByIndex(fc.index)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		var val any
		switch f.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			val = int(f.Int())
		case reflect.String:
			val = f.String()
		default:
			continue
		}
		if msg := fc.rule.violation(val); msg != "" {
			return &ArgumentError{Operation: op, Name: fc.rule.name, Value: val, Rule: msg}
		}
	}
	return nil
}

func fieldChecks(op string, t reflect.Type) []fieldCheck {
	var out []fieldCheck
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "" {
			continue
		}
		if r := rules()[op][name]; r != nil {
			out = append(out, fieldCheck{index: f.Index, rule: r})
		}
	}
	return out
}
