package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/anam-ai/anam-go/api"
)

// rootHelp is `anam --help`.
func rootHelp(w io.Writer, t *tree) error {
	var b strings.Builder
	b.WriteString(`anam calls the Anam AI API: every operation of its OpenAPI document is a command.

Usage:
  anam <group> <command> [arguments] [flags]
  anam <group> --help                 the commands of a group
  anam <group> <command> --help       a command's arguments, flags and body

Groups:
`)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, g := range t.groups {
		verbs := []string{}
		for _, c := range g.cmds {
			if c.verb != "" {
				verbs = append(verbs, c.verb)
			}
		}
		about := fmt.Sprintf("%d %s", len(g.cmds), plural(len(g.cmds), "command"))
		if len(verbs) > 0 {
			about += " (" + strings.Join(verbs, ", ") + ")"
		}
		if g.about != "" {
			about = sanitize(g.about) + "; " + about
		}
		fmt.Fprintf(tw, "  %s\t%s\n", g.name, about)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", fakeGroup, "run the built-in fake Anam API on its own (anam fake serve)")
	tw.Flush()
	b.WriteString(`
Examples:
  anam avatars list --per-page 20
  anam avatars list --all --json > avatars.jsonl
  anam avatars get 071b0286-4cce-4808-bee2-e642f1062de3
  anam personas create --name Ada --data @persona.json
  anam --fake sessions list

Global flags (anywhere on the line):
  --json            print the response body exactly as the server sent it
  --debug           log every HTTP attempt on stderr (never the API key)
  --base-url URL    the API's base URL (default: $ANAM_BASE_URL, else ` + api.DefaultBaseURL + `)
  --fake            run against the built-in fake Anam API; no key needed
  --version         print the version
  -h, --help        show help

Environment:
  ANAM_API_KEY      your API key (required unless --fake); create one in the Anam Lab
  ANAM_BASE_URL     the API's base URL
  ANAM_FAKE=1       same as --fake

Exit status: 0 success, 1 the call failed, 2 bad usage or an argument refused
before anything was sent, 130 interrupted.
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// groupHelp is `anam <group> --help`.
func groupHelp(w io.Writer, g *group) error {
	var b strings.Builder
	title := g.tag
	if title == "" {
		title = "Operations with no tag in the spec"
	}
	fmt.Fprintf(&b, "%s", sanitize(title))
	if g.about != "" {
		fmt.Fprintf(&b, ": %s", sanitize(g.about))
	}
	fmt.Fprintf(&b, "\n\nUsage:\n  anam %s <command> [arguments] [flags]\n\nCommands:\n", g.name)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, c := range g.cmds {
		name := c.name
		if c.verb != "" {
			name = c.verb + ", " + name
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", name, usageArgs(c), sanitize(c.op.Summary))
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nRun 'anam %s <command> --help' for a command's flags.\n", g.name)
	_, err := io.WriteString(w, b.String())
	return err
}

func usageArgs(c *command) string {
	names := make([]string, len(c.op.PathParams))
	for i, p := range c.op.PathParams {
		names[i] = argName(p.Name)
	}
	return strings.Join(names, " ")
}

// commandHelp is `anam <group> <command> --help`: the spec's summary and
// description, the arguments, and every flag with its description, type,
// bounds and allowed values.
func commandHelp(w io.Writer, c *command, cf *commandFlags) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nUsage:\n", sanitize(c.op.Summary))
	args := usageArgs(c)
	if args != "" {
		args = " " + args
	}
	fmt.Fprintf(&b, "  anam %s %s%s [flags]\n", c.group.name, c.name, args)
	if c.verb != "" {
		fmt.Fprintf(&b, "  anam %s %s%s [flags]\n", c.group.name, c.verb, args)
	}
	if c.spec != nil && strings.TrimSpace(c.spec.Description) != "" && strings.TrimSpace(c.spec.Description) != c.op.Summary {
		fmt.Fprintf(&b, "\n%s\n", indent(sanitizeText(strings.TrimSpace(c.spec.Description)), ""))
	}
	fmt.Fprintf(&b, "\nRequest: %s %s\n", c.op.Method, c.op.Path)

	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if len(c.op.PathParams) > 0 {
		fmt.Fprintln(tw, "\nArguments:")
		for _, p := range c.op.PathParams {
			about := ""
			if sp := c.specParam(p.Name); sp != nil {
				about = firstLine(sp.Description)
			}
			fmt.Fprintf(tw, "  %s\t%s\n", argName(p.Name), joinNonEmpty(sanitize(about), ruleText(p.Rule)))
		}
	}
	if len(cf.query) > 0 {
		fmt.Fprintln(tw, "\nFlags (query parameters):")
		for _, f := range cf.query {
			fmt.Fprintf(tw, "  %s\t%s\n", flagUsage(f), flagAbout(f))
		}
	}
	if c.op.Body != api.BodyNone {
		req := "optional"
		if c.op.BodyRequired {
			req = "required"
		}
		fmt.Fprintf(tw, "\nRequest body (%s):\n", req)
		if c.op.Body&api.BodyJSON != 0 || c.op.Body == api.BodyMultipart {
			fmt.Fprintf(tw, "  --data JSON\t%s\n", "the JSON body: '{...}', @file.json, or - for standard input;\n  \t  the field flags below are merged into it and win")
		}
		if c.op.Body&api.BodyMultipart != 0 {
			fmt.Fprintf(tw, "  --form name=value\t%s\n", "a multipart form field, repeated; name=@path uploads a file (streamed)")
		}
		for _, f := range cf.body {
			fmt.Fprintf(tw, "  %s\t%s\n", flagUsage(f), flagAbout(f))
		}
		if others := otherFields(c, cf); len(others) > 0 {
			fmt.Fprintf(tw, "  \tother fields (give them in --data): %s\n", strings.Join(others, ", "))
		}
	}
	if c.op.Paginated {
		fmt.Fprintln(tw, "\nListing:")
		fmt.Fprintf(tw, "  --all\t%s\n", "walk every page, printing items as they arrive (JSON Lines with --json)")
		fmt.Fprintf(tw, "  --limit N\t%s\n", "stop after N items (implies --all)")
		fmt.Fprintf(tw, "  --concurrency N\tpages requested at once with --all (default %d)\n", defaultConcurrency)
	}
	fmt.Fprintln(tw, "\nGlobal flags:")
	fmt.Fprintf(tw, "  --json\t%s\n", "print the response body exactly as the server sent it")
	fmt.Fprintf(tw, "  --debug, --base-url URL, --fake\t%s\n", "see 'anam --help'")
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// otherFields are the body's top-level fields that have no flag.
func otherFields(c *command, cf *commandFlags) []string {
	flagged := map[string]bool{}
	for _, f := range cf.body {
		flagged[f.field] = true
	}
	var out []string
	for _, s := range requestSchemas(c) {
		for name := range properties(s) {
			if !flagged[name] && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func flagUsage(f *specFlag) string {
	if t := f.typeWord(); t != "" {
		return "--" + f.name + " " + t
	}
	return "--" + f.name
}

func flagAbout(f *specFlag) string {
	var extra []string
	if f.required {
		extra = append(extra, "required")
	}
	if len(f.enum) > 0 {
		extra = append(extra, "one of: "+strings.Join(f.enum, ", "))
	}
	if f.rule != "" {
		extra = append(extra, f.rule)
	}
	about := sanitize(firstLine(f.about))
	if len(extra) == 0 {
		return about
	}
	return joinNonEmpty(about, "("+strings.Join(extra, "; ")+")")
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// sanitizeText is sanitize for multi-line text: line breaks are kept.
func sanitizeText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = sanitize(strings.TrimRight(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

func indent(s, prefix string) string {
	if prefix == "" {
		return s
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
