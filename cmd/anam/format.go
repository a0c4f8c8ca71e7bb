package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/itchyny/gojq"
)

// output prints a command's results on stdout in one of four ways: as the
// server sent them (--json), through a jq expression (--jq), through a Go
// template (--template), or for a person (tables and field lists, with
// counts and footers on stderr). A single result is given to result; the
// items of an --all walk to item, one at a time.
type output struct {
	a    *app
	cmd  *command
	w    *bufio.Writer
	mode outputMode
	jq   *gojq.Code
	tmpl *template.Template

	lines *jsonLines   // --json with --all
	table *streamTable // a person's --all
	buf   bytes.Buffer // scratch for one formatted value
	tty   bool         // stdout is a terminal: escape control characters in jq strings
}

type outputMode uint8

const (
	modeHuman outputMode = iota
	modeJSON
	modeJQ
	modeTemplate
)

// newOutput prepares the output the global flags ask for; a jq expression
// or a template that does not compile is a usage error, before anything is
// sent.
func (a *app) newOutput(cmd *command, g globals) (*output, error) {
	o := &output{a: a, cmd: cmd, w: bufio.NewWriter(a.e.stdout), tty: a.e.stdoutTTY}
	switch {
	case g.json:
		o.mode = modeJSON
	case g.jq != "":
		o.mode = modeJQ
		q, err := gojq.Parse(g.jq)
		if err != nil {
			return nil, usageError{msg: "--jq: " + err.Error(), cmd: cmd.path()}
		}
		if o.jq, err = gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil })); err != nil {
			return nil, usageError{msg: "--jq: " + err.Error(), cmd: cmd.path()}
		}
	case g.template != "":
		o.mode = modeTemplate
		t, err := template.New("--template").Option("missingkey=zero").Funcs(templateFuncs).Parse(g.template)
		if err != nil {
			return nil, usageError{msg: err.Error(), cmd: cmd.path()}
		}
		o.tmpl = t
	}
	return o, nil
}

// templateFuncs are the functions --template offers besides text/template's.
var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"join": func(sep string, v []any) string {
		s := make([]string, len(v))
		for i, e := range v {
			s[i] = fmt.Sprint(e)
		}
		return strings.Join(s, sep)
	},
}

func (o *output) human() bool { return o.mode == modeHuman }

// result prints a single result: a response body.
func (o *output) result(body []byte) error {
	switch o.mode {
	case modeJSON:
		if err := writeRaw(o.w, body); err != nil {
			return err
		}
	case modeJQ, modeTemplate:
		if len(bytes.TrimSpace(body)) == 0 {
			return nil // no content: nothing to select from
		}
		if err := o.value(body); err != nil {
			return err
		}
	default:
		if err := o.w.Flush(); err != nil {
			return err
		}
		if o.cmd.op.Paginated {
			return o.a.printPage(o.cmd, body)
		}
		return printObject(o.a.e.stdout, o.a.e.stderr, body, o.cmd, o.a.colourOn(o.a.e.stdoutTTY))
	}
	return o.w.Flush()
}

// item prints one item of an --all walk.
func (o *output) item(raw json.RawMessage) error {
	switch o.mode {
	case modeJSON:
		if o.lines == nil {
			o.lines = &jsonLines{w: o.w}
		}
		return o.lines.emit(raw)
	case modeJQ, modeTemplate:
		return o.value(raw)
	default:
		if o.table == nil {
			o.table = &streamTable{w: o.w, bold: o.a.colourOn(o.a.e.stdoutTTY), choose: func(first json.RawMessage) []column {
				return chooseColumns(o.cmd, first)
			}}
		}
		return o.table.emit(raw)
	}
}

// flush writes what is buffered; it is called after every page of a walk.
func (o *output) flush() error {
	if o.table != nil {
		return o.table.flush()
	}
	return o.w.Flush()
}

// value prints one JSON value through --jq or --template.
func (o *output) value(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers beyond 2^53 exact
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("the response is not JSON, so --jq and --template cannot read it: %w", err)
	}
	if o.mode == modeTemplate {
		o.buf.Reset()
		if err := o.tmpl.Execute(&o.buf, v); err != nil {
			return fmt.Errorf("--template: %w", err)
		}
		if o.buf.Len() > 0 && o.buf.Bytes()[o.buf.Len()-1] != '\n' {
			o.buf.WriteByte('\n')
		}
		_, err := o.w.Write(o.buf.Bytes())
		return err
	}
	iter := o.jq.RunWithContext(o.a.ctx, v)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := r.(error); ok {
			if err, ok := err.(interface{ IsEmptyError() bool }); ok && err.IsEmptyError() {
				continue // halt, or error(null)
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if s, ok := r.(string); ok {
			// Strings as text, as gh and jq -r print them.
			if o.tty {
				s = sanitizeText(s)
			}
			if _, err := o.w.WriteString(s + "\n"); err != nil {
				return err
			}
			continue
		}
		b, err := gojq.Marshal(r)
		if err != nil {
			return fmt.Errorf("--jq: %w", err)
		}
		b = append(b, '\n')
		if _, err := o.w.Write(b); err != nil {
			return err
		}
	}
}
