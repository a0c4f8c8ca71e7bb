package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/anam-ai/anam-go/api"
)

// globals are the flags every command takes, before or after its words.
type globals struct {
	json, debug, fake, version, help bool
	baseURL                          string
}

func (g *globals) register(fs *flag.FlagSet) {
	// The defaults are the values so far, so that registering the globals
	// again, on a command's flag set, keeps what was parsed before.
	fs.BoolVar(&g.json, "json", g.json, "print the response body exactly as the server sent it (JSON Lines with --all)")
	fs.BoolVar(&g.debug, "debug", g.debug, "log every HTTP attempt on stderr (the API key is never logged)")
	fs.BoolVar(&g.fake, "fake", g.fake, "run against the built-in fake Anam API (also ANAM_FAKE=1)")
	fs.BoolVar(&g.version, "version", g.version, "print the version and exit")
	fs.BoolVar(&g.help, "help", g.help, "show help")
	fs.BoolVar(&g.help, "h", g.help, "show help")
	fs.StringVar(&g.baseURL, "base-url", g.baseURL, "the API's base URL (default: ANAM_BASE_URL, else "+api.DefaultBaseURL+")")
}

// usageError is a command line the program cannot make sense of: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// newFlagSet returns a silent flag set: errors are reported by run.
func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("anam", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseWords parses flags wherever they stand among the words, as users
// expect from `anam avatars get ID --json`, and returns the words. A "--"
// ends the flags. It stops after max words (max < 0: no limit), returning
// the unparsed rest.
func parseWords(fs *flag.FlagSet, args []string, max int) (words, rest []string, err error) {
	for {
		if max >= 0 && len(words) == max {
			return words, args, nil
		}
		if err := fs.Parse(args); err != nil {
			return nil, nil, usageError{strings.TrimPrefix(err.Error(), "flag: ")}
		}
		args = fs.Args()
		if len(args) == 0 {
			return words, nil, nil
		}
		if args[0] == "--" {
			// Everything after "--" is a word, never a flag.
			words = append(words, args[1:]...)
			if max >= 0 && len(words) > max {
				return words[:max], append([]string{"--"}, words[max:]...), nil
			}
			return words, nil, nil
		}
		words = append(words, args[0])
		args = args[1:]
	}
}

// valueKind is how a flag's text is read.
type valueKind uint8

const (
	kindString valueKind = iota
	kindInteger
	kindNumber
	kindBoolean
	kindList // comma-separated or repeated
)

// specFlag is a flag derived from the spec: a query parameter, or a
// top-level scalar field of the request body.
type specFlag struct {
	name     string // the flag's name, kebab-cased
	field    string // the parameter or body field name, as the spec writes it
	inBody   bool
	kind     valueKind
	param    *api.Param // query parameters only
	about    string
	required bool
	enum     []string
	rule     string // e.g. "1 to 100", for help
	explode  bool

	values []string // as given, in order; nil when not given
}

func (f *specFlag) String() string { return strings.Join(f.values, ",") }

// Set reads one occurrence of the flag, refusing text that is not of the
// flag's type (before anything is sent).
func (f *specFlag) Set(s string) error {
	switch f.kind {
	case kindInteger:
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
	case kindNumber:
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
	case kindBoolean:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		s = strconv.FormatBool(b)
	case kindList:
		for e := range strings.SplitSeq(s, ",") {
			if e = strings.TrimSpace(e); e != "" {
				f.values = append(f.values, e)
			}
		}
		return nil
	}
	f.values = []string{s}
	return nil
}

// IsBoolFlag lets a boolean flag stand alone: --only-one-shot.
func (f *specFlag) IsBoolFlag() bool { return f.kind == kindBoolean }

func (f *specFlag) given() bool { return f.values != nil }

// typeWord is the flag's value as help shows it.
func (f *specFlag) typeWord() string {
	switch f.kind {
	case kindInteger:
		return "int"
	case kindNumber:
		return "number"
	case kindBoolean:
		return ""
	case kindList:
		return "a,b,..."
	}
	if len(f.enum) > 0 {
		return "value"
	}
	return "string"
}

// commandFlags are the flags of one command besides the globals.
type commandFlags struct {
	query []*specFlag
	body  []*specFlag
	data  string   // --data
	forms []string // --form, repeated
	all   bool
	limit int
	conc  int
}

// reserved are flag names the CLI itself uses; a body field of the same
// name gets no flag (use --data for it).
var reserved = []string{"json", "debug", "fake", "version", "help", "h", "base-url", "data", "form", "all", "limit", "concurrency"}

// defaultConcurrency is how many pages --all requests at once.
const defaultConcurrency = 4

// register builds the flags of c on fs.
func (cf *commandFlags) register(fs *flag.FlagSet, c *command) {
	taken := map[string]bool{}
	for _, r := range reserved {
		taken[r] = true
	}
	for i := range c.op.Query {
		p := &c.op.Query[i]
		f := &specFlag{name: kebab(p.Name), field: p.Name, param: p, kind: kindOf(p.Type), required: p.Required,
			enum: p.Enum, explode: p.Explode, rule: ruleText(p.Rule)}
		if sp := c.specParam(p.Name); sp != nil {
			f.about = sp.Description
		}
		if taken[f.name] {
			f.name = "query-" + f.name
		}
		taken[f.name] = true
		cf.query = append(cf.query, f)
		fs.Var(f, f.name, f.about)
	}
	if c.op.Body != api.BodyNone {
		fs.StringVar(&cf.data, "data", "", "the JSON request body: '{...}', @file.json, or - for standard input")
		if c.op.Body&api.BodyMultipart != 0 {
			fs.Func("form", "a multipart form field: name=value, or name=@path to upload a file", func(s string) error {
				if !strings.Contains(s, "=") {
					return errors.New("want name=value or name=@path")
				}
				cf.forms = append(cf.forms, s)
				return nil
			})
		}
		for _, f := range bodyFlags(c) {
			if taken[f.name] {
				continue
			}
			taken[f.name] = true
			cf.body = append(cf.body, f)
			fs.Var(f, f.name, f.about)
		}
	}
	if c.op.Paginated {
		fs.BoolVar(&cf.all, "all", false, "walk every page, printing items as they arrive")
		fs.IntVar(&cf.limit, "limit", 0, "stop after N items (implies --all)")
		fs.IntVar(&cf.conc, "concurrency", defaultConcurrency, "pages requested at once with --all")
	}
}

// specParam is the spec's parameter of the given name (query or path).
func (c *command) specParam(name string) *openapi3.Parameter {
	if c.spec == nil {
		return nil
	}
	for _, ps := range []openapi3.Parameters{c.spec.Parameters, pathItemParams(c.pathItem)} {
		for _, p := range ps {
			if p != nil && p.Value != nil && p.Value.Name == name {
				return p.Value
			}
		}
	}
	return nil
}

func pathItemParams(item *openapi3.PathItem) openapi3.Parameters {
	if item == nil {
		return nil
	}
	return item.Parameters
}

func kindOf(typ string) valueKind {
	switch typ {
	case "integer":
		return kindInteger
	case "number":
		return kindNumber
	case "boolean":
		return kindBoolean
	case "array":
		return kindList
	}
	return kindString
}

// ruleText is a parameter's bounds as help shows them.
func ruleText(r api.Rule) string {
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	var parts []string
	switch {
	case r.Minimum != nil && r.Maximum != nil:
		parts = append(parts, num(*r.Minimum)+" to "+num(*r.Maximum))
	case r.Minimum != nil:
		parts = append(parts, "at least "+num(*r.Minimum))
	case r.Maximum != nil:
		parts = append(parts, "at most "+num(*r.Maximum))
	}
	if r.Format != "" {
		parts = append(parts, r.Format)
	}
	return strings.Join(parts, ", ")
}

// bodyFlags are flags for the top-level scalar fields (string, integer,
// number, boolean, possibly nullable) of the operation's request body
// schemas: the JSON one, then the multipart one's text fields.
func bodyFlags(c *command) []*specFlag {
	var out []*specFlag
	seen := map[string]bool{}
	for _, s := range requestSchemas(c) {
		props := properties(s)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			ps := props[name]
			if seen[name] || ps == nil {
				continue
			}
			kind, ok := scalarKind(ps)
			if !ok {
				continue
			}
			seen[name] = true
			f := &specFlag{name: kebab(name), field: name, inBody: true, kind: kind,
				required: slices.Contains(s.Required, name), about: firstLine(ps.Description)}
			for _, e := range ps.Enum {
				if s, ok := e.(string); ok {
					f.enum = append(f.enum, s)
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// requestSchemas are the operation's JSON and multipart body schemas, in
// that order, those that exist.
func requestSchemas(c *command) []*openapi3.Schema {
	if c.spec == nil || c.spec.RequestBody == nil || c.spec.RequestBody.Value == nil {
		return nil
	}
	var out []*openapi3.Schema
	for _, ct := range []string{"application/json", "multipart/form-data"} {
		if mt := c.spec.RequestBody.Value.Content.Get(ct); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
			out = append(out, mt.Schema.Value)
		}
	}
	return out
}

// scalarKind is the flag kind of a scalar schema; ok is false for objects,
// arrays, binary (file) fields and unions of several types.
func scalarKind(s *openapi3.Schema) (valueKind, bool) {
	if s.Type == nil || s.Format == "binary" || len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 {
		return 0, false
	}
	var kinds []string
	for _, t := range s.Type.Slice() {
		if t != "null" {
			kinds = append(kinds, t)
		}
	}
	if len(kinds) != 1 {
		return 0, false
	}
	switch kinds[0] {
	case "string":
		return kindString, true
	case "integer":
		return kindInteger, true
	case "number":
		return kindNumber, true
	case "boolean":
		return kindBoolean, true
	}
	return 0, false
}

// properties are the properties of an object schema, those of its allOf
// members included.
func properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	var walk func(s *openapi3.Schema, depth int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for _, sub := range s.AllOf {
			if sub != nil {
				walk(sub.Value, depth+1)
			}
		}
		for name, p := range s.Properties {
			if p != nil && p.Value != nil {
				out[name] = p.Value
			}
		}
	}
	walk(s, 0)
	return out
}
