package engine

import (
	"encoding"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

type builtPath struct{ escaped, unescaped string }

// buildPath fills op's path template with args, each checked against its
// parameter's rule and escaped as one path segment. unescaped is "" when
// no argument needed escaping (the URL's Path is then escaped itself).
func buildPath(op *Operation, args []string) (builtPath, error) {
	if len(args) != len(op.PathParams) {
		return builtPath{}, &ArgumentError{Operation: op.ID, Name: "path arguments", Value: len(args),
			Rule: fmt.Sprintf("%d argument(s), for %s", len(op.PathParams), op.Path)}
	}
	if len(args) == 0 {
		return builtPath{escaped: op.Path}, nil
	}
	n := len(op.Path)
	for i, a := range args {
		if err := checkString(op.ID, &op.PathParams[i], a, true); err != nil {
			return builtPath{}, err
		}
		n += len(a)
	}
	var esc strings.Builder
	esc.Grow(n)
	escaped := false
	for i, seg := range op.segments {
		esc.WriteString(seg)
		if i < len(args) {
			e := url.PathEscape(args[i])
			escaped = escaped || len(e) != len(args[i])
			esc.WriteString(e)
		}
	}
	p := builtPath{escaped: esc.String()}
	if escaped {
		var raw strings.Builder
		for i, seg := range op.segments {
			raw.WriteString(seg)
			if i < len(args) {
				raw.WriteString(args[i])
			}
		}
		p.unescaped = raw.String()
	}
	return p, nil
}

// The SDK checks arguments against the rules the spec states for each
// operation's parameters (minimum, maximum, enum, format: uuid...) before
// any request is sent. The rules are generated into each Operation, so an
// operation added by regenerating from a larger spec is checked with no new
// code here.

// checkValue checks one parameter value against its rule. inPath adds the
// rule every path parameter has: a non-empty value other than "." and "..",
// which would change the request's path.
func checkValue(op string, p *Param, v any, inPath bool) error {
	if msg := p.violation(v, inPath); msg != "" {
		return &ArgumentError{Operation: op, Name: p.Name, Value: shownValue(p, v), Rule: msg}
	}
	return nil
}

// shownValue is how a refused value appears in an error: free text (a
// search term, a name) may be personal, so only its length is shown; IDs,
// enums, numbers and booleans are shown as given.
func shownValue(p *Param, v any) any {
	s, ok := v.(string)
	if !ok || p.Format == "uuid" || len(p.Enum) > 0 || s == "" || s == "." || s == ".." {
		return v
	}
	return redactedText(len([]rune(s)))
}

// redactedText stands for a string argument in an error message.
type redactedText int

func (r redactedText) String() string {
	return fmt.Sprintf("(a text of %d characters, not shown)", int(r))
}

// checkString is checkValue for a string, without boxing it: path
// arguments are checked on every call.
func checkString(op string, p *Param, s string, inPath bool) error {
	if msg := p.stringViolation(s, inPath); msg != "" {
		// A copy: s itself must not escape, or neither could the path
		// arguments of every generated method.
		return &ArgumentError{Operation: op, Name: p.Name, Value: shownValue(p, strings.Clone(s)), Rule: msg}
	}
	return nil
}

// stringViolation returns what s fails to be, or "" when it is fine.
func (p *Param) stringViolation(x string, inPath bool) string {
	if x == "" && (p.Required || inPath) {
		return "a non-empty value"
	}
	if inPath && (x == "." || x == "..") {
		return `a path segment other than "." and ".."`
	}
	if p.Format == "uuid" && !isUUID(x) {
		return "a UUID such as 071b0286-4cce-4808-bee2-e642f1062de3"
	}
	if p.MinLength != nil || p.MaxLength != nil {
		n := utf8.RuneCountInString(x)
		if p.MinLength != nil && n < *p.MinLength || p.MaxLength != nil && n > *p.MaxLength {
			return p.describe()
		}
	}
	if !p.inEnum(x) {
		return p.describe()
	}
	return ""
}

// violation returns what v fails to be, or "" when it is fine.
func (p *Param) violation(v any, inPath bool) string {
	switch x := v.(type) {
	case string:
		return p.stringViolation(x, inPath)
	case int64:
		f := float64(x)
		if p.Minimum != nil && f < *p.Minimum || p.Maximum != nil && f > *p.Maximum || !p.inEnum(strconv.FormatInt(x, 10)) {
			return p.describe()
		}
	case float64:
		if p.Minimum != nil && x < *p.Minimum || p.Maximum != nil && x > *p.Maximum {
			return p.describe()
		}
	}
	return ""
}

func (p *Param) inEnum(v string) bool { return len(p.Enum) == 0 || slices.Contains(p.Enum, v) }

func (p *Param) describe() string {
	kind := p.Type
	switch kind {
	case "":
		kind = "a value"
	case "integer", "array":
		kind = "an " + kind
	default:
		kind = "a " + kind
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	switch {
	case len(p.Enum) > 0:
		return "one of " + strings.Join(p.Enum, ", ")
	case p.Minimum != nil && p.Maximum != nil:
		return fmt.Sprintf("%s from %s to %s", kind, num(*p.Minimum), num(*p.Maximum))
	case p.Minimum != nil:
		return fmt.Sprintf("%s of at least %s", kind, num(*p.Minimum))
	case p.Maximum != nil:
		return fmt.Sprintf("%s of at most %s", kind, num(*p.Maximum))
	case p.MinLength != nil || p.MaxLength != nil:
		lo, hi := 0, math.MaxInt
		if p.MinLength != nil {
			lo = *p.MinLength
		}
		if p.MaxLength != nil {
			hi = *p.MaxLength
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

// queryField is one field of a generated Params struct: the query
// parameter it carries (by its `form` tag).
type queryField struct {
	index []int
	name  string
}

var queryFieldsCache sync.Map // reflect.Type -> []queryField

func queryFields(t reflect.Type) []queryField {
	if v, ok := queryFieldsCache.Load(t); ok {
		return v.([]queryField)
	}
	var out []queryField
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out = append(out, queryField{index: f.Index, name: name})
	}
	v, _ := queryFieldsCache.LoadOrStore(t, out)
	return v.([]queryField)
}

// queryBuilder writes an encoded query string in the order parameters are
// added.
type queryBuilder struct{ b strings.Builder }

func (q *queryBuilder) add(name, value string) { q.addEncoded(name, url.QueryEscape(value)) }

// addEncoded adds a value already escaped.
func (q *queryBuilder) addEncoded(name, value string) {
	if q.b.Len() > 0 {
		q.b.WriteByte('&')
	}
	q.b.WriteString(url.QueryEscape(name))
	q.b.WriteByte('=')
	q.b.WriteString(value)
}

// encodeQuery checks and encodes the query of a call: the set fields of a
// generated Params struct (nil pointers are not sent), then Do's raw
// values, then WithQuery's.
func encodeQuery(op *Operation, params any, raw, extra url.Values) (string, error) {
	var q queryBuilder
	if params != nil {
		v := reflect.ValueOf(params)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v = reflect.Value{}
			} else {
				v = v.Elem()
			}
		}
		if v.IsValid() {
			if v.Kind() != reflect.Struct {
				return "", &ArgumentError{Operation: op.ID, Name: "params", Value: v.Type().String(), Rule: "a Params struct"}
			}
			for _, f := range queryFields(v.Type()) {
				if err := addField(&q, op, f.name, v.FieldByIndex(f.index)); err != nil {
					return "", err
				}
			}
		}
	}
	for _, name := range sortedKeys(raw) {
		p := op.query[name]
		for _, s := range raw[name] {
			if p != nil {
				if err := checkText(op, p, s); err != nil {
					return "", err
				}
			}
			q.add(name, s)
		}
	}
	for _, name := range sortedKeys(extra) {
		for _, s := range extra[name] {
			q.add(name, s)
		}
	}
	return q.b.String(), nil
}

func sortedKeys(v url.Values) []string {
	if len(v) == 0 {
		return nil
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkText checks a query value given as text (by Do) against its rule,
// reading it as the parameter's type.
func checkText(op *Operation, p *Param, s string) error {
	switch p.Type {
	case "integer":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return &ArgumentError{Operation: op.ID, Name: p.Name, Value: s, Rule: p.describe()}
		}
		return checkValue(op.ID, p, n, false)
	case "number":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return &ArgumentError{Operation: op.ID, Name: p.Name, Value: s, Rule: p.describe()}
		}
		return checkValue(op.ID, p, f, false)
	case "boolean":
		if _, err := strconv.ParseBool(s); err != nil {
			return &ArgumentError{Operation: op.ID, Name: p.Name, Value: s, Rule: "a boolean (true or false)"}
		}
		return nil
	case "array":
		for _, e := range strings.Split(s, ",") {
			if err := checkString(op.ID, p, e, false); err != nil {
				return err
			}
		}
		return nil
	}
	return checkString(op.ID, p, s, false)
}

var (
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	timeType      = reflect.TypeFor[time.Time]()
)

// addField checks and adds one Params field.
func addField(q *queryBuilder, op *Operation, name string, f reflect.Value) error {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		f = f.Elem()
	}
	p := op.query[name]
	if p == nil {
		p = &Param{Name: name}
	}
	if f.Kind() == reflect.Slice && f.Type().Elem().Kind() != reflect.Uint8 {
		parts := make([]string, f.Len())
		for i := range parts {
			s, err := scalar(op, p, f.Index(i))
			if err != nil {
				return err
			}
			parts[i] = s
		}
		if p.Explode {
			for _, s := range parts {
				q.add(name, s)
			}
			return nil
		}
		// style: form, explode: false: one value, the elements escaped and
		// joined by literal commas (tags=professional,studio).
		for i, s := range parts {
			parts[i] = url.QueryEscape(s)
		}
		q.addEncoded(name, strings.Join(parts, ","))
		return nil
	}
	s, err := scalar(op, p, f)
	if err != nil {
		return err
	}
	q.add(name, s)
	return nil
}

// scalar checks one value and formats it as it goes into a URL.
func scalar(op *Operation, p *Param, v reflect.Value) (string, error) {
	var val any
	var s string
	switch v.Kind() {
	case reflect.String:
		s = v.String()
		val = s
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		s, val = strconv.FormatInt(n, 10), n
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n := v.Uint()
		s, val = strconv.FormatUint(n, 10), int64(min(n, math.MaxInt64))
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		s, val = strconv.FormatFloat(f, 'f', -1, 64), f
	case reflect.Bool:
		s = strconv.FormatBool(v.Bool())
	default:
		switch {
		case v.Type() == timeType:
			s = v.Interface().(time.Time).Format(time.RFC3339Nano)
		case v.Type().Implements(textMarshaler):
			b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return "", &ArgumentError{Operation: op.ID, Name: p.Name, Value: v.Interface(), Rule: "a value that encodes as text: " + err.Error()}
			}
			s = string(b)
		case v.Type().Implements(reflect.TypeFor[fmt.Stringer]()):
			s = v.Interface().(fmt.Stringer).String()
		default:
			return "", &ArgumentError{Operation: op.ID, Name: p.Name, Value: v.Type().String(), Rule: "a string, number, boolean, time or array of them"}
		}
		return s, nil
	}
	if val != nil {
		if err := checkValue(op.ID, p, val, false); err != nil {
			return "", err
		}
	}
	return s, nil
}
