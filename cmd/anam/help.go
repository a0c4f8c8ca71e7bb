package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/climeta"
)

// help is every command's help (-h, --help, `anam help ...`), on stdout.
func (a *app) help(c *cobra.Command, _ []string) { a.helpTo(a.e.stdout, c) }

// helpTo writes c's help to w.
func (a *app) helpTo(w io.Writer, c *cobra.Command) {
	switch {
	case c == a.root:
		_ = a.rootHelp(w)
	case a.cmds[c] != nil:
		cmd := a.cmds[c]
		_ = commandHelp(w, cmd, c)
	default:
		if g := a.tree.lookup(c.Name()); g != nil && c.Parent() == a.root {
			_ = groupHelp(w, g)
			return
		}
		_ = builtinHelp(w, c)
	}
}

// rootHelp is `anam --help`.
func (a *app) rootHelp(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`anam calls the Anam AI API: every operation of its OpenAPI document is a command.

Usage:
  anam <group> <command> [arguments] [flags]
  anam help <group> [<command>]      a group's commands; a command's arguments, flags and body

Groups:
`)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, g := range a.tree.groups {
		verbs := []string{}
		for _, c := range g.cmds {
			if c.verb != "" {
				verbs = append(verbs, c.verb)
			}
		}
		about := groupShort(g)
		if len(verbs) > 0 {
			about += " (" + strings.Join(verbs, ", ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", g.name, about)
	}
	tw.Flush()
	b.WriteString("\nCommands of anam itself:\n")
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, c := range a.root.Commands() {
		if _, spec := a.tree.lookupCobra(c); spec || !c.IsAvailableCommand() && c.Name() != "help" {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name(), c.Short)
	}
	tw.Flush()
	b.WriteString(`
Examples:
  anam avatars list --per-page 20
  anam avatars list --all --json > avatars.jsonl
  anam avatars list --all --jq '.id'
  anam avatars get 071b0286-4cce-4808-bee2-e642f1062de3
  anam personas create --name Ada --data @persona.json
  anam --fake sessions list

Global flags (anywhere on the line):
`)
	b.WriteString(globalFlagsText(a.root.PersistentFlags()))
	b.WriteString(`
Environment (a flag wins over the environment, which wins over the profile):
  ANAM_API_KEY      your API key; else the profile's (see 'anam auth login')
  ANAM_BASE_URL     the API's base URL; else the profile's, else ` + api.DefaultBaseURL + `
  ANAM_PROFILE      the profile to use, as --profile (default "default")
  ANAM_FAKE=1       same as --fake
  ANAM_CONFIG_DIR   where profiles are stored (default: anam/ in the user config directory)
  NO_COLOR          no colour, even on a terminal

Exit status: 0 success, 1 the call failed, 2 bad usage or an argument refused
before anything was sent, 130 interrupted.
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// lookupCobra reports whether a cobra command is a group of the spec.
func (t *tree) lookupCobra(c *cobra.Command) (*group, bool) {
	if c.Annotations[annotGroup] == "" || c.Annotations[annotGroup] != c.Name() {
		return nil, false
	}
	g := t.lookup(c.Name())
	return g, g != nil
}

// globalFlagsText lists the global flags.
func globalFlagsText(fs *pflag.FlagSet) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *pflag.Flag) {
		name, usage := pflag.UnquoteUsage(f)
		if name != "" {
			name = " " + strings.ToUpper(name)
		}
		fmt.Fprintf(tw, "      --%s%s\t%s\n", f.Name, name, usage)
	})
	fmt.Fprintf(tw, "  -h, --help\t%s\n", "show help")
	fmt.Fprintf(tw, "      --version\t%s\n", "print the version")
	tw.Flush()
	return b.String()
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
	fmt.Fprintf(&b, "\nRun 'anam help %s <command>' for a command's arguments, flags and body.\n", g.name)
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
// description, the arguments, and every flag under what it sets (query,
// JSON body, multipart form), with its description, type, bounds and
// allowed values.
func commandHelp(w io.Writer, c *command, cc *cobra.Command) error {
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
	if d := strings.TrimSpace(c.meta.Description); d != "" {
		fmt.Fprintf(&b, "\n%s\n", sanitizeText(d))
	}
	fmt.Fprintf(&b, "\nRequest: %s %s\n", c.op.Method, c.op.Path)

	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if len(c.op.PathParams) > 0 {
		fmt.Fprintln(tw, "\nArguments:")
		for _, p := range c.op.PathParams {
			fmt.Fprintf(tw, "  %s\t%s\n", argName(p.Name), joinNonEmpty(sanitize(c.paramAbout("path", p.Name)), ruleText(p.Rule)))
		}
	}
	flags := map[string]*specFlag{}
	var query []*specFlag
	cc.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if sf, ok := f.Value.(*specFlag); ok {
			flags[sf.field] = sf
			if sf.param != nil {
				query = append(query, sf)
			}
		}
	})
	if len(query) > 0 {
		fmt.Fprintln(tw, "\nFlags (query parameters):")
		for _, f := range query {
			fmt.Fprintf(tw, "  %s\t%s\n", flagUsage(f), flagAbout(f))
		}
	}
	if c.op.Body != api.BodyNone {
		req := "optional"
		if c.op.BodyRequired {
			req = "required"
		}
		if c.op.Body&api.BodyJSON != 0 {
			fmt.Fprintf(tw, "\nJSON request body (%s), in --data:\n", req)
			fmt.Fprintf(tw, "  --data JSON\t%s\n", "the JSON body: '{...}', @file.json, or - for standard input;\n  \t  the field flags below are merged into it and win")
			var rest []string
			for _, fd := range c.meta.JSON {
				if f := flags[fd.Name]; f != nil && f.param == nil {
					fmt.Fprintf(tw, "  %s\t%s\n", flagUsage(f), flagAbout(f))
				} else {
					rest = append(rest, fieldText(fd))
				}
			}
			if len(rest) > 0 {
				fmt.Fprintf(tw, "  \tfields with no flag, given in --data: %s\n", strings.Join(rest, ", "))
			}
		}
		if c.op.Body&api.BodyMultipart != 0 {
			if c.op.Body&api.BodyJSON != 0 {
				req = "or instead of the JSON body"
			}
			fmt.Fprintf(tw, "\nMultipart form (%s), in --form:\n", req)
			fmt.Fprintf(tw, "  --form name=value\t%s\n", "a form field, repeated; name=@path uploads a file (streamed)")
			for _, fd := range c.meta.Form {
				switch f := flags[fd.Name]; {
				case fd.Type == "file":
					fmt.Fprintf(tw, "  --form %s=@path\t%s\n", fd.Name, fieldAbout(fd))
				case f != nil && f.param == nil && f.inForm:
					fmt.Fprintf(tw, "  %s\t%s\n", flagUsage(f), joinNonEmpty(flagAbout(f), "(or --form "+fd.Name+"=...)"))
				default:
					fmt.Fprintf(tw, "  --form %s=...\t%s\n", fd.Name, fieldAbout(fd))
				}
			}
		}
	}
	if c.op.Paginated {
		fmt.Fprintln(tw, "\nListing:")
		fmt.Fprintf(tw, "  --all\t%s\n", "walk every page, printing items as they arrive (JSON Lines with --json)")
		fmt.Fprintf(tw, "  --limit N\t%s\n", "stop after N items (implies --all)")
		fmt.Fprintf(tw, "  --concurrency N\tpages requested at once with --all (default %d)\n", defaultConcurrency)
	}
	if c.destructive() {
		fmt.Fprintln(tw, "\nConfirmation:")
		fmt.Fprintf(tw, "  -y, --yes\t%s\n", "do it without asking; without a terminal, it is refused unless --yes is given")
	}
	fmt.Fprintln(tw, "\nOutput:")
	fmt.Fprintf(tw, "  --json\t%s\n", "the response body as the server sent it (JSON Lines with --all)")
	fmt.Fprintf(tw, "  --jq EXPRESSION\t%s\n", "what a jq expression selects from it (from each item with --all)")
	fmt.Fprintf(tw, "  --template STRING\t%s\n", "it through a Go text/template (each item with --all)")
	fmt.Fprintln(tw, "\nGlobal flags:")
	fmt.Fprintf(tw, "  --debug, --base-url URL, --profile NAME, --fake\t%s\n", "see 'anam --help'")
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// fieldText is a body field with no flag, as help lists it.
func fieldText(f climeta.Field) string {
	s := f.Name
	if f.Required {
		s += " (required)"
	}
	return s
}

// fieldAbout is a form field's description with what it must be.
func fieldAbout(f climeta.Field) string {
	about := sanitize(f.About)
	if f.Required {
		about = joinNonEmpty(about, "(required)")
	}
	return about
}

// builtinHelp is the help of anam's own commands (auth, fake, completion,
// version, help).
func builtinHelp(w io.Writer, c *cobra.Command) error {
	var b strings.Builder
	text := c.Long
	if text == "" {
		text = c.Short
	}
	fmt.Fprintf(&b, "%s\n\nUsage:\n  %s\n", strings.TrimSpace(text), usageLine(c))
	if c.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(tw, "  %s\t%s\n", sub.Name(), sub.Short)
			}
		}
		tw.Flush()
	}
	if fs := c.LocalNonPersistentFlags(); fs.HasAvailableFlags() {
		b.WriteString("\nFlags:\n")
		b.WriteString(fs.FlagUsages())
	}
	b.WriteString("\nGlobal flags: see 'anam --help'.\n")
	_, err := io.WriteString(w, b.String())
	return err
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
