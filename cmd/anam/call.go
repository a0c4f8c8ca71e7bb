package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/anam-ai/anam-go/api"
)

// check refuses flags that do not go together, before anything is read or
// sent.
func (cf *commandFlags) check(c *command, g globals) error {
	if cf.limit < 0 {
		return usageError{msg: "--limit must be at least 1", cmd: c.path()}
	}
	if cf.limit > 0 {
		cf.all = true
	}
	if cf.all && (cf.conc < 1 || cf.conc > 64) {
		return usageError{msg: "--concurrency must be from 1 to 64", cmd: c.path()}
	}
	if cf.all {
		for _, f := range cf.query {
			if f.field == "page" && f.given() {
				return usageError{msg: "--all and --page do not go together", cmd: c.path()}
			}
		}
	}
	if cf.data != "" && c.op.Body&api.BodyJSON == 0 {
		return usageError{msg: "--data: " + c.path() + " takes a multipart form, not JSON; give its fields with --form name=value, and files with --form name=@path", cmd: c.path()}
	}
	n := 0
	for _, set := range []bool{g.json, g.jq != "", g.template != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usageError{msg: "--json, --jq and --template do not go together: choose one", cmd: c.path()}
	}
	return nil
}

// queryValues is the query of a call, from the query flags given.
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
func (a *app) call(cmd *command, cf *commandFlags, args []string) error {
	g := a.g
	if err := cf.check(cmd, g); err != nil {
		return err
	}
	out, err := a.newOutput(cmd, g)
	if err != nil {
		return err
	}
	body, err := buildBody(cmd, cf, a.e.stdin)
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) && ue.cmd == "" {
			ue.cmd = cmd.path()
			return ue
		}
		return err
	}
	defer body.close()
	cn, err := a.connect()
	if err != nil {
		return err
	}
	defer cn.done()
	if cmd.destructive() {
		if err := a.confirm(cmd, cf, args); err != nil {
			return err
		}
	}
	opts := a.callOptions(cmd)
	q := cf.queryValues()
	if cf.all {
		return a.listAll(cn.client, cmd, cf, args, q, opts, out)
	}
	// Do checks the result against what the spec documents (api.ErrDecode
	// otherwise), so that nothing partial or unchecked reaches stdout.
	resp, err := cn.client.Do(a.ctx, cmd.op, api.RawRequest{PathArgs: args, Query: q, Body: body.r, ContentType: body.contentType}, opts...)
	if err != nil {
		return cliError(cmd, cf, err)
	}
	return out.result(resp.Body)
}

// envSessionToken names the environment variable of a session token.
const envSessionToken = "ANAM_SESSION_TOKEN"

// callOptions are the options of a command's call: a session token from
// --session-token, which the SDK refuses (exit 2, nothing sent) for an
// operation whose spec does not accept one, or from ANAM_SESSION_TOKEN,
// which is used only where the spec accepts one (elsewhere the API key
// is sent, as for any command).
func (a *app) callOptions(cmd *command) []api.RequestOption {
	switch {
	case a.g.sessionToken != "":
		return []api.RequestOption{api.WithSessionToken(a.g.sessionToken)}
	case cmd.op.Auth&api.AuthSessionToken != 0:
		if t := a.e.getenv(envSessionToken); t != "" {
			return []api.RequestOption{api.WithSessionToken(t)}
		}
	}
	return nil
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
	case ae.Name == "session token":
		what = "the session token (--session-token or " + envSessionToken + ")"
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

// listAll walks every page (--all), printing items as they arrive, with
// progress on a terminal. A walk that fails ends with its error, which
// says at which page it stopped and why, after the items that arrived.
func (a *app) listAll(client *api.Client, cmd *command, cf *commandFlags, args []string, q url.Values, opts []api.RequestOption, out *output) error {
	// Fewer, larger pages: the largest page the spec allows, unless given.
	for _, f := range cf.query {
		if f.field == "perPage" && !f.given() && f.param != nil && f.param.Maximum != nil {
			q.Set(f.field, fmt.Sprint(int64(*f.param.Maximum)))
		}
	}
	if cf.limit > 0 {
		// No page requested ahead that --limit will not print.
		opts = append(opts[:len(opts):len(opts)], api.WithCallMaxItems(cf.limit))
	}
	pr := a.newProgress()
	n := 0
	var err error
	walkFailed := false
	for item, ierr := range listItems(a.ctx, client, cmd.op, args, q, cf.conc, opts, func(page, last int) {
		pr.clear()
		if ferr := out.flush(); ferr != nil && err == nil {
			err = ferr
		}
		pr.page(page, last, n)
	}) {
		if ierr != nil {
			err, walkFailed = ierr, true
			break
		}
		if err != nil {
			break
		}
		if err = out.item(item); err != nil {
			break
		}
		n++
		if cf.limit > 0 && n >= cf.limit {
			break
		}
	}
	pr.clear()
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	if err != nil {
		err = cliError(cmd, cf, err)
		if walkFailed && !errors.Is(err, api.ErrInvalidArgument) {
			err = walkStopped{err: err, items: n}
		}
		return err
	}
	if out.human() {
		fmt.Fprintf(a.e.stderr, "%d %s\n", n, plural(n, "item"))
	}
	return nil
}

// walkStopped is the error of an --all walk that failed after n items were
// printed: the SDK's error, which names the page, and the count.
type walkStopped struct {
	err   error
	items int
}

func (e walkStopped) Error() string {
	return fmt.Sprintf("%s (--all stopped there, after %d %s)", strings.TrimPrefix(e.err.Error(), "anam: "), e.items, plural(e.items, "item"))
}

func (e walkStopped) Unwrap() error { return e.err }

// printPage prints one page of a list as a table; the footer saying where
// the listing stands goes to stderr.
func (a *app) printPage(cmd *command, body []byte) error {
	t := &streamTable{w: bufio.NewWriter(a.e.stdout), bold: a.colourOn(a.e.stdoutTTY), choose: func(first json.RawMessage) []column {
		return chooseColumns(cmd, first)
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
	_, err = fmt.Fprintln(a.e.stderr, footer)
	return err
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
