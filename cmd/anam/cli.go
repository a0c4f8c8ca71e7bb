package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/climeta"
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

// app is one run of the program: its environment, the command tree derived
// from the spec, and the cobra commands over it.
type app struct {
	ctx  context.Context
	e    env
	tree *tree
	g    globals
	root *cobra.Command
	// cmds maps each cobra command of an operation to it.
	cmds map[*cobra.Command]*command
	// flags makes the flags of an operation's command, until it is called.
	flags map[*cobra.Command]func()
}

func init() {
	// Commands are listed in the spec's order, not sorted by name.
	cobra.EnableCommandSorting = false
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "version") {
		// The one command that needs no tree.
		if err := printVersion(e.stdout); err != nil {
			return exitFailed
		}
		return exitOK
	}
	a := newApp(ctx, e, buildTree(api.Operations(), &climeta.Generated))
	a.flagsFor(args)
	a.root.SetArgs(args)
	return a.exit(a.root.ExecuteContext(ctx))
}

// exit reports err on stderr and returns the exit code it calls for.
func (a *app) exit(err error) int {
	var ue usageError
	var ce configError
	var ne failure
	prefix := a.colour(a.e.stderrTTY, red, "anam:")
	switch {
	case err == nil:
		return exitOK
	case a.ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(a.e.stderr, prefix, "interrupted")
		return exitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintf(a.e.stderr, "%s %s\n", prefix, sanitizeText(ue.msg))
		a.usageHint(ue.cmd)
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(a.e.stderr, "%s %s\n", prefix, sanitizeText(ce.msg))
		return exitUsage
	case errors.As(err, &ne):
		fmt.Fprintf(a.e.stderr, "%s %s\n", prefix, ne.Error())
		return exitFailed
	case errors.Is(err, api.ErrInvalidArgument):
		fmt.Fprintf(a.e.stderr, "%s %s\n", prefix, sanitize(strings.TrimPrefix(err.Error(), "anam: ")))
		return exitUsage
	default:
		fmt.Fprintf(a.e.stderr, "%s %s\n", prefix, sanitize(strings.TrimPrefix(err.Error(), "anam: ")))
		return exitFailed
	}
}

// usageHint prints the usage line of the command a usage error is about,
// and where to read more.
func (a *app) usageHint(path string) {
	target := a.root
	if path != "" {
		if c, _, err := a.root.Find(strings.Fields(path)); err == nil && c != nil {
			target = c
		}
	}
	fmt.Fprintf(a.e.stderr, "\nUsage:  %s\n", usageLine(target))
	fmt.Fprintf(a.e.stderr, "Run '%s --help' for more.\n", target.CommandPath())
}

// usageLine is a cobra command's one-line usage.
func usageLine(c *cobra.Command) string {
	line := c.UseLine()
	if c.HasAvailableSubCommands() && !c.Runnable() || c.Annotations[annotGroup] != "" {
		line = c.CommandPath() + " <command> [flags]"
	}
	return line
}

const annotGroup = "anam-group"

func newApp(ctx context.Context, e env, t *tree) *app {
	a := &app{ctx: ctx, e: e, tree: t, cmds: map[*cobra.Command]*command{}, flags: map[*cobra.Command]func(){}}
	root := &cobra.Command{
		Use:           "anam",
		Short:         "Call the Anam AI API: every operation of its OpenAPI document is a command",
		Version:       versionText(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          a.rootArgs,
		RunE: func(c *cobra.Command, args []string) error {
			_ = a.rootHelp(a.e.stderr)
			return usageError{msg: "no command given"}
		},
		Annotations: map[string]string{annotGroup: "root"},
	}
	root.SetVersionTemplate("anam {{.Version}}\n")
	a.root = root
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetIn(e.stdin)
	root.SetContext(ctx)
	a.g.register(root.PersistentFlags())
	root.SetFlagErrorFunc(a.flagError)
	root.SetHelpFunc(a.help)
	root.SetHelpCommand(a.helpCommand())

	for _, g := range t.groups {
		root.AddCommand(a.groupCommand(g))
	}
	root.AddCommand(a.authCommand(), a.fakeCommand(), a.versionCommand())
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Annotations = map[string]string{annotGroup: "completion"}
			c.Args = func(c *cobra.Command, args []string) error {
				if len(args) == 0 {
					return nil
				}
				return usageError{msg: fmt.Sprintf("no completion for %q: the shells are bash, zsh, fish and powershell", args[0]), cmd: "completion"}
			}
			c.RunE = func(c *cobra.Command, args []string) error {
				a.helpTo(a.e.stderr, c)
				return usageError{msg: "completion: which shell? bash, zsh, fish or powershell", cmd: "completion"}
			}
		}
	}
	// Every refusal of arguments, cobra's own included (completion's
	// shells), is a usage error: exit 2 with the command's usage.
	var wrap func(c *cobra.Command)
	wrap = func(c *cobra.Command) {
		c.SuggestionsMinimumDistance = 2
		if c.Args != nil {
			args := c.Args
			c.Args = func(cmd *cobra.Command, as []string) error {
				if err := args(cmd, as); err != nil {
					var ue usageError
					if errors.As(err, &ue) {
						return err
					}
					return usageError{msg: err.Error(), cmd: pathOf(cmd)}
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			wrap(sub)
		}
	}
	wrap(root)
	return a
}

// pathOf is a command's path without "anam": "avatars get".
func pathOf(c *cobra.Command) string {
	return strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "anam"), " ")
}

// rootArgs refuses an unknown command, suggesting the nearest ones.
func (a *app) rootArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usageError{msg: fmt.Sprintf("unknown command %q%s", args[0], suggestCommands(c, args[0]))}
}

// suggestCommands is the "Did you mean" text for a mistyped subcommand
// of c: the names and aliases (list, get...) within two edits of it, or
// that start with it.
func suggestCommands(c *cobra.Command, typed string) string {
	var names []string
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() {
			continue
		}
		for _, n := range append([]string{sub.Name()}, sub.Aliases...) {
			if levenshtein(strings.ToLower(typed), n) <= maxEdits(typed) || strings.HasPrefix(n, strings.ToLower(typed)) {
				names = append(names, n)
				break
			}
		}
	}
	return suggestions(names)
}

// suggestions is the "Did you mean" text of a usage error, "" for none.
func suggestions(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "\n\nDid you mean this?\n    " + strings.Join(names, "\n    ")
}

// newGroup is a command that only holds others (a group of the spec,
// auth, fake, completion): given no command, it shows its help on stderr
// and exits 2; given an unknown one, it suggests the nearest.
func (a *app) newGroup(name, short string) *cobra.Command {
	return &cobra.Command{
		Use:         name,
		Short:       short,
		Annotations: map[string]string{annotGroup: name},
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usageError{msg: fmt.Sprintf("unknown command %q for %q%s", args[0], "anam "+name, suggestCommands(c, args[0])), cmd: name}
		},
		RunE: func(c *cobra.Command, args []string) error {
			a.helpTo(a.e.stderr, c)
			return usageError{msg: name + ": no command given", cmd: name}
		},
	}
}

// groupCommand is `anam <group>`: it runs nothing itself.
func (a *app) groupCommand(g *group) *cobra.Command {
	gc := a.newGroup(g.name, groupShort(g))
	for _, cmd := range g.cmds {
		gc.AddCommand(a.operationCommand(cmd))
	}
	return gc
}

func groupShort(g *group) string {
	n := len(g.cmds)
	s := fmt.Sprintf("%d %s", n, plural(n, "command"))
	if g.about != "" {
		s = sanitize(g.about) + "; " + s
	}
	return s
}

// operationCommand is `anam <group> <command>`: one operation.
func (a *app) operationCommand(cmd *command) *cobra.Command {
	cf := &commandFlags{}
	use := cmd.name
	if args := usageArgs(cmd); args != "" {
		use += " " + args
	}
	c := &cobra.Command{
		Use:   use,
		Short: sanitize(cmd.op.Summary),
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != len(cmd.op.PathParams) {
				return usageError{msg: fmt.Sprintf("%s takes %s", cmd.path(), argsText(cmd)), cmd: cmd.path()}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return a.call(cmd, cf, args)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	if cmd.verb != "" {
		c.Aliases = []string{cmd.verb}
	}
	// The flags are made when the command is about to run, be completed or
	// show its help (see flagsFor): making those of every command took a
	// millisecond of every start.
	a.flags[c] = func() {
		cf.register(c.Flags(), cmd)
		for _, f := range append(append([]*specFlag(nil), cf.query...), cf.body...) {
			if len(f.enum) > 0 {
				_ = c.RegisterFlagCompletionFunc(f.name, cobra.FixedCompletions(f.enum, cobra.ShellCompDirectiveNoFileComp))
			}
		}
	}
	a.cmds[c] = cmd
	return c
}

// flagsFor makes the flags of the operation commands that args may reach:
// the command its first two words name (flags before them are skipped; a
// global one's value too), the one `anam help` is asked about, and every
// command when the shell asks for completions.
func (a *app) flagsFor(args []string) {
	if len(args) > 0 && strings.HasPrefix(args[0], "__complete") {
		for _, mk := range a.flags {
			mk()
		}
		clear(a.flags)
		return
	}
	var words []string
	for i := 0; i < len(args) && len(words) < 3; i++ {
		arg := args[i]
		switch {
		case arg == "--":
			words = append(words, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(arg, "-"):
			name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			if f := a.root.PersistentFlags().Lookup(name); f != nil && f.NoOptDefVal == "" && f.Value.Type() != "bool" && !hasValue {
				i++ // the flag's value
			}
		default:
			words = append(words, arg)
		}
	}
	if len(words) > 0 && words[0] == "help" {
		words = words[1:]
	}
	if len(words) < 2 {
		return
	}
	for _, g := range a.root.Commands() {
		if g.Name() != words[0] {
			continue
		}
		for _, c := range g.Commands() {
			if c.Name() == words[1] || slices.Contains(c.Aliases, words[1]) {
				if mk := a.flags[c]; mk != nil {
					mk()
					delete(a.flags, c)
				}
			}
		}
	}
}

// flagError turns pflag's error into a usage error of the command, with
// the nearest flags for an unknown one.
func (a *app) flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var names []string
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.InheritedFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && (levenshtein(name, f.Name) <= maxEdits(name) || strings.HasPrefix(f.Name, name)) {
					names = append(names, "--"+f.Name)
				}
			})
		}
		if name == "data" && c.Flags().Lookup("form") != nil {
			msg += ": this operation takes a multipart form; give its fields with --form name=value or --form name=@path"
		}
		msg += suggestions(names)
	}
	return usageError{msg: msg, cmd: pathOf(c)}
}

// levenshtein is the edit distance of two flag names.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// helpCommand is `anam help [group [command]]`.
func (a *app) helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [group [command]]",
		Short: "Show the help of anam, a group or a command",
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := a.root.Find(args)
			if err != nil || target == nil || len(rest) > 0 && !target.HasParent() || len(rest) > 0 && target.HasSubCommands() {
				word := args[len(args)-1]
				if target != nil && len(rest) > 0 {
					word = rest[0]
				}
				parent := a.root
				if target != nil {
					parent = target
				}
				return usageError{msg: fmt.Sprintf("unknown help topic %q%s", strings.Join(args, " "), suggestCommands(parent, word)), cmd: "help"}
			}
			a.help(target, nil)
			return nil
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := a.root.Find(args)
			if err != nil || target == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range target.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// versionCommand is `anam version`.
func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of anam and of the SDK",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return printVersion(a.e.stdout)
		},
	}
}

// cliVersion is the version of the command, which is the SDK's.
const cliVersion = api.Version

func versionText() string { return cliVersion + " (anam-go SDK " + api.Version + ")" }

func printVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "anam %s\n", versionText())
	return err
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

// maxEdits is how far a mistyped name may be from a suggestion: one edit
// for a word of three letters or fewer, else two.
func maxEdits(typed string) int {
	if len(typed) <= 3 {
		return 1
	}
	return 2
}
