package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/specload"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1   // the call failed
	exitUsage       = 2   // bad usage, configuration, or an argument refused before sending
	exitInterrupted = 130 // interrupted (SIGINT)
)

// configError is a configuration the CLI cannot run with (no key, a bad
// base URL): exit 2.
type configError struct{ msg string }

func (e configError) Error() string { return e.msg }

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	err := dispatch(ctx, args, e)
	var ue usageError
	var ce configError
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(e.stderr, "anam: interrupted")
		return exitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "anam: %s\n", sanitize(ue.msg))
		fmt.Fprintln(e.stderr, "Run 'anam --help' for usage.")
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(e.stderr, "anam: %s\n", sanitizeText(ce.msg))
		return exitUsage
	case errors.Is(err, api.ErrInvalidArgument):
		fmt.Fprintf(e.stderr, "anam: %s\n", sanitize(strings.TrimPrefix(err.Error(), "anam: ")))
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "anam: %s\n", sanitize(strings.TrimPrefix(err.Error(), "anam: ")))
		return exitFailed
	}
}

// dispatch parses the command line and runs the command.
func dispatch(ctx context.Context, args []string, e env) error {
	var g globals
	fs := newFlagSet()
	g.register(fs)
	words, rest, err := parseWords(fs, args, 2)
	if err != nil {
		return err
	}
	if g.version {
		return printVersion(e.stdout)
	}
	doc, _ := specload.Load() // without it, help is shorter and there are no body field flags
	t := buildTree(api.Operations(), doc)

	if len(words) == 0 {
		if g.help {
			return rootHelp(e.stdout, t)
		}
		_ = rootHelp(e.stderr, t)
		return usagef("no command given")
	}
	if words[0] == fakeGroup {
		return fakeCommand(ctx, words[1:], rest, g, e)
	}
	grp := t.lookup(words[0])
	if grp == nil {
		return usagef("unknown command %q", words[0])
	}
	if len(words) == 1 {
		if g.help {
			return groupHelp(e.stdout, grp)
		}
		_ = groupHelp(e.stderr, grp)
		return usagef("%s: no command given", grp.name)
	}
	cmd := grp.lookup(words[1])
	if cmd == nil {
		return usagef("unknown command %q for %q (see 'anam %s --help')", words[1], grp.name, grp.name)
	}

	var cf commandFlags
	fs = newFlagSet()
	g.register(fs)
	cf.register(fs, cmd)
	pos, _, err := parseWords(fs, rest, -1)
	if err != nil {
		return usagef("%s %s: %s", grp.name, words[1], err.(usageError).msg)
	}
	if g.help {
		return commandHelp(e.stdout, cmd, &cf)
	}
	if len(pos) != len(cmd.op.PathParams) {
		return usagef("%s %s takes %s (see 'anam %s %s --help')", grp.name, words[1], argsText(cmd), grp.name, words[1])
	}
	if err := cf.check(); err != nil {
		return err
	}
	return call(ctx, cmd, &cf, pos, g, e)
}

// argsText says how many positional arguments a command takes.
func argsText(c *command) string {
	switch n := len(c.op.PathParams); n {
	case 0:
		return "no arguments"
	case 1:
		return "one argument, " + argName(c.op.PathParams[0].Name)
	default:
		names := make([]string, n)
		for i, p := range c.op.PathParams {
			names[i] = argName(p.Name)
		}
		return fmt.Sprintf("%d arguments: %s", n, strings.Join(names, " "))
	}
}

// argName is a path parameter as usage shows it: id -> ID.
func argName(name string) string { return strings.ToUpper(strings.ReplaceAll(kebab(name), "-", "_")) }

// check refuses flags that do not go together.
func (cf *commandFlags) check() error {
	if cf.limit < 0 {
		return usagef("--limit must be at least 1")
	}
	if cf.limit > 0 {
		cf.all = true
	}
	if cf.conc < 1 || cf.conc > 64 {
		if cf.all {
			return usagef("--concurrency must be from 1 to 64")
		}
	}
	if cf.all {
		for _, f := range cf.query {
			if f.field == "page" && f.given() {
				return usagef("--all and --page do not go together")
			}
		}
	}
	return nil
}

// query is the query of a call, from the query flags given.
func (cf *commandFlags) queryValues() url.Values {
	q := url.Values{}
	for _, f := range cf.query {
		if !f.given() {
			continue
		}
		if f.kind == kindList && !f.explode {
			q.Set(f.field, strings.Join(f.values, ","))
			continue
		}
		q[f.field] = append(q[f.field], f.values...)
	}
	return q
}

// call runs one operation and prints its result.
func call(ctx context.Context, cmd *command, cf *commandFlags, args []string, g globals, e env) error {
	body, err := buildBody(cmd, cf, e.stdin)
	if err != nil {
		return err
	}
	defer body.close()
	client, done, err := connect(g, e)
	if err != nil {
		return err
	}
	defer done()

	q := cf.queryValues()
	if cf.all {
		return listAll(ctx, client, cmd, cf, q, g, e)
	}
	resp, err := client.Do(ctx, cmd.op, api.RawRequest{PathArgs: args, Query: q, Body: body.r, ContentType: body.contentType})
	if err != nil {
		return cliError(cmd, cf, err)
	}
	if g.json {
		return writeRaw(e.stdout, resp.Body)
	}
	if cmd.op.Paginated {
		return printPage(e.stdout, cmd, resp.Body)
	}
	return printObject(e.stdout, resp.Body, itemSchema(responseSchema(cmd)))
}

// cliError rewrites an argument the SDK refused in the CLI's words: the
// flag or argument rather than the spec's parameter name.
func cliError(cmd *command, cf *commandFlags, err error) error {
	var ae *api.ArgumentError
	if !errors.As(err, &ae) {
		return err
	}
	what := ae.Name
	switch {
	case ae.Name == "body":
		what = "the request body (--data, field flags or --form)"
	case ae.Name == "path arguments":
		what = "the arguments"
	default:
		for _, f := range cf.query {
			if f.field == ae.Name {
				what = "--" + f.name
			}
		}
		for _, p := range cmd.op.PathParams {
			if p.Name == ae.Name {
				what = "argument " + argName(p.Name)
			}
		}
	}
	value := ""
	switch v := ae.Value.(type) {
	case nil:
	case string:
		value = fmt.Sprintf(" %q", v)
	default:
		value = fmt.Sprintf(" %v", v)
	}
	return argError{fmt.Sprintf("%s%s is invalid: it must be %s; no request was sent", what, value, ae.Rule)}
}

// argError is an argument the SDK refused before sending, in the CLI's
// words; it matches api.ErrInvalidArgument.
type argError struct{ msg string }

func (e argError) Error() string        { return e.msg }
func (e argError) Is(target error) bool { return target == api.ErrInvalidArgument }

// printPage prints one page of a list as a table, with a footer saying
// where the listing stands.
func printPage(w io.Writer, cmd *command, body []byte) error {
	t := &streamTable{w: bufio.NewWriter(w), choose: func(first json.RawMessage) []column {
		return chooseColumns(itemSchema(responseSchema(cmd)), first)
	}}
	meta, n, err := eachItem(body, t.emit)
	if err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	var footer string
	switch {
	case n == 0:
		footer = "no items found"
	case meta.Next != nil && meta.CurrentPage != nil && meta.LastPage != nil:
		footer = fmt.Sprintf("page %d of %d (%d items); next: --page %d, or --all", *meta.CurrentPage, *meta.LastPage, deref(meta.Total), *meta.Next)
	case meta.CurrentPage != nil && meta.LastPage != nil:
		footer = fmt.Sprintf("page %d of %d (%d items)", *meta.CurrentPage, *meta.LastPage, deref(meta.Total))
	default:
		footer = fmt.Sprintf("%d %s", n, plural(n, "item"))
	}
	_, err = fmt.Fprintf(w, "\n%s\n", footer)
	return err
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// listAll walks every page (--all), printing items as they arrive.
func listAll(ctx context.Context, client *api.Client, cmd *command, cf *commandFlags, q url.Values, g globals, e env) error {
	// Fewer, larger pages: the largest page the spec allows, unless given.
	for _, f := range cf.query {
		if f.field == "perPage" && !f.given() && f.param != nil && f.param.Maximum != nil {
			q.Set(f.field, fmt.Sprint(int64(*f.param.Maximum)))
		}
	}
	w := &walk{client: client, op: cmd.op, query: q, concurrency: cf.conc, limit: cf.limit}
	var flush func() error
	if g.json {
		jl := newJSONLines(e.stdout)
		w.emit, flush = jl.emit, jl.flush
	} else {
		t := &streamTable{w: bufio.NewWriter(e.stdout), choose: func(first json.RawMessage) []column {
			return chooseColumns(itemSchema(responseSchema(cmd)), first)
		}}
		w.emit, flush = t.emit, t.flush
	}
	w.progress = func(page, last, items int) {
		_ = flush() // print each page as soon as it is read
		if e.terminal {
			if last > 0 {
				fmt.Fprintf(e.stderr, "\rpage %d of %d, %d items", page, last, items)
			} else {
				fmt.Fprintf(e.stderr, "\rpage %d, %d items", page, items)
			}
		}
	}
	n, err := w.run(ctx)
	if e.terminal {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if ferr := flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return cliError(cmd, cf, err)
	}
	if !g.json {
		_, err = fmt.Fprintf(e.stdout, "\n%d %s\n", n, plural(n, "item"))
	}
	return err
}
