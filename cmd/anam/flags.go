package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/climeta"
)

// globals are the flags every command takes, before or after its words.
type globals struct {
	json, debug, fake bool
	jq, template      string
	baseURL, profile  string
	sessionToken      string
}

func (g *globals) register(fs *pflag.FlagSet) {
	fs.BoolVar(&g.json, "json", false, "print the response body as the server sent it (JSON Lines with --all)")
	fs.StringVar(&g.jq, "jq", "", "print what the jq `expression` selects from the result (from each item with --all)")
	fs.StringVar(&g.template, "template", "", "print the result (each item with --all) through a Go text/template `string`")
	fs.BoolVar(&g.debug, "debug", false, "log every HTTP attempt on stderr (never the API key)")
	fs.BoolVar(&g.fake, "fake", false, "run against the built-in fake Anam API, no key needed (also ANAM_FAKE=1)")
	fs.StringVar(&g.baseURL, "base-url", "", "the API's base `URL` (default: ANAM_BASE_URL, the profile's, else "+api.DefaultBaseURL+")")
	fs.StringVar(&g.profile, "profile", "", "the stored profile to use (default: ANAM_PROFILE, else \"default\")")
	fs.StringVar(&g.sessionToken, "session-token", "", "send this session `token` in place of the API key, to an operation whose spec accepts one (default: "+envSessionToken+" there)")
}

// usageError is a command line the program cannot make sense of: exit 2,
// with the usage of the command it was meant for.
type usageError struct {
	msg string
	cmd string // the command's path, e.g. "avatars get"; "" for anam itself
}

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

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
// top-level scalar field of a request body. It is a pflag.Value.
type specFlag struct {
	name     string // the flag's name, kebab-cased
	field    string // the parameter or body field name, as the spec writes it
	inJSON   bool   // a field of the JSON body
	inForm   bool   // a field of the multipart body
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

// Type is the flag's value as pflag's messages name it.
func (f *specFlag) Type() string {
	switch f.kind {
	case kindInteger:
		return "integer"
	case kindNumber:
		return "number"
	case kindBoolean:
		return "bool"
	case kindList:
		return "list"
	}
	return "string"
}

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
	if f.param == nil && len(f.enum) > 0 && !contains(f.enum, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(f.enum, ", "))
	}
	f.values = []string{s}
	return nil
}

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
	yes   bool
}

// reserved are flag names the CLI itself uses; a query parameter of the
// same name is given the prefix "query-", and a body field of the same
// name gets no flag (give it in --data).
var reserved = []string{"json", "jq", "template", "debug", "fake", "base-url", "profile", "session-token", "version", "help",
	"data", "form", "all", "limit", "concurrency", "yes"}

// defaultConcurrency is how many pages --all requests at once.
const defaultConcurrency = 4

// Annotations on a pflag.Flag that say where help lists it.
const (
	annotSection = "anam-section"
	secQuery     = "query"
	secBody      = "body"
	secList      = "list"
	secCommand   = "command"
)

// register builds the flags of c on fs.
func (cf *commandFlags) register(fs *pflag.FlagSet, c *command) {
	taken := map[string]bool{}
	for _, r := range reserved {
		taken[r] = true
	}
	add := func(f *specFlag, section string) {
		fl := fs.VarPF(f, f.name, "", f.about)
		if f.kind == kindBoolean {
			fl.NoOptDefVal = "true"
		}
		fl.Annotations = map[string][]string{annotSection: {section}}
	}
	for i := range c.op.Query {
		p := &c.op.Query[i]
		f := &specFlag{name: kebab(p.Name), field: p.Name, param: p, kind: kindOf(p.Type), required: p.Required,
			enum: p.Enum, explode: p.Explode, rule: ruleText(p.Rule), about: c.paramAbout("query", p.Name)}
		if taken[f.name] {
			f.name = "query-" + f.name
		}
		taken[f.name] = true
		cf.query = append(cf.query, f)
		add(f, secQuery)
	}
	if c.op.Body != api.BodyNone {
		section := func(fl *pflag.Flag) {
			fl.Annotations = map[string][]string{annotSection: {secBody}}
		}
		fl := fs.VarPF(newStringValue(&cf.data), "data", "", "the JSON request body: '{...}', @file.json, or - for standard input")
		section(fl)
		if c.op.Body&api.BodyJSON == 0 {
			// Kept so that --data is refused with the reason, not as an
			// unknown flag.
			fl.Hidden = true
		}
		if c.op.Body&api.BodyMultipart != 0 {
			section(fs.VarPF(&formValue{&cf.forms}, "form", "", "a multipart form field: name=value, or name=@path to upload a file"))
		}
		for _, f := range bodyFlags(c) {
			if taken[f.name] {
				continue
			}
			taken[f.name] = true
			cf.body = append(cf.body, f)
			add(f, secBody)
		}
	}
	if c.op.Paginated {
		for _, fl := range []*pflag.Flag{
			fs.VarPF(newBoolValue(&cf.all), "all", "", "walk every page, printing items as they arrive (JSON Lines with --json)"),
			fs.VarPF(newIntValue(&cf.limit, 0), "limit", "", "stop after N items (implies --all)"),
			fs.VarPF(newIntValue(&cf.conc, defaultConcurrency), "concurrency", "", "pages requested at once with --all"),
		} {
			fl.Annotations = map[string][]string{annotSection: {secList}}
		}
		fs.Lookup("all").NoOptDefVal = "true"
	}
	if c.destructive() {
		fl := fs.VarPF(newBoolValue(&cf.yes), "yes", "y", "do it without asking for confirmation (required without a terminal)")
		fl.NoOptDefVal = "true"
		fl.Annotations = map[string][]string{annotSection: {secCommand}}
	}
}

// formValue is --form name=value, repeated.
type formValue struct{ forms *[]string }

func (v *formValue) String() string { return strings.Join(*v.forms, " ") }
func (v *formValue) Type() string   { return "name=value" }
func (v *formValue) Set(s string) error {
	if name, _, ok := strings.Cut(s, "="); !ok || name == "" {
		return errors.New("want name=value or name=@path")
	}
	*v.forms = append(*v.forms, s)
	return nil
}

// Small pflag.Values over plain variables: pflag's own (BoolVar...) would
// do, but these keep the flags' help text ours alone.
type (
	stringValue struct{ p *string }
	boolValue   struct{ p *bool }
	intValue    struct{ p *int }
)

func newStringValue(p *string) *stringValue   { return &stringValue{p} }
func newBoolValue(p *bool) *boolValue         { return &boolValue{p} }
func newIntValue(p *int, def int) *intValue   { *p = def; return &intValue{p} }
func (v *stringValue) String() string         { return *v.p }
func (v *stringValue) Type() string           { return "string" }
func (v *stringValue) Set(s string) error     { *v.p = s; return nil }
func (v *boolValue) String() string           { return strconv.FormatBool(*v.p) }
func (v *boolValue) Type() string             { return "bool" }
func (v *intValue) String() string            { return strconv.Itoa(*v.p) }
func (v *intValue) Type() string              { return "int" }
func (v *boolValue) Set(s string) (err error) { *v.p, err = strconv.ParseBool(s); return err }
func (v *intValue) Set(s string) (err error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not an integer", s)
	}
	*v.p = n
	return nil
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

// bodyFlags are flags for the top-level scalar fields of the operation's
// request bodies: the JSON one's, then the multipart one's text fields
// that the JSON one does not have. A field in both is one flag.
func bodyFlags(c *command) []*specFlag {
	var out []*specFlag
	byName := map[string]*specFlag{}
	addAll := func(fields []climeta.Field, form bool) {
		for _, fd := range fields {
			if !fd.Scalar() {
				continue
			}
			f := byName[fd.Name]
			if f == nil {
				f = &specFlag{name: kebab(fd.Name), field: fd.Name, kind: kindOf(fd.Type), required: fd.Required,
					about: fd.About, enum: fd.Enum}
				byName[fd.Name] = f
				out = append(out, f)
			}
			if form {
				f.inForm = true
			} else {
				f.inJSON = true
			}
		}
	}
	if c.op.Body&api.BodyJSON != 0 {
		addAll(c.meta.JSON, false)
	}
	if c.op.Body&api.BodyMultipart != 0 {
		addAll(c.meta.Form, true)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
