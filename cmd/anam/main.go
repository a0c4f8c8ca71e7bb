// Command anam lists and shows Anam avatars from the command line, through
// the SDK's api package.
//
// Usage:
//
//	anam [--fake] avatars list [--search S] [--only-one-shot] [--page N] [--per-page N] [--all] [--json]
//	anam [--fake] avatars get ID [--json]
//
// It reads ANAM_API_KEY and ANAM_BASE_URL. With --fake, or when no API key
// is set, it starts the SDK's built-in fake Anam API (api/anamtest) on a
// loopback port and runs against that, saying so on stderr, so it works on
// a machine with no key and no network.
//
// Exit codes: 0 success, 1 the call failed (the server's message is on
// stderr), 2 bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
)

// fakeAvatars is how many generated avatars the embedded fake API holds
// besides the spec's example, so that listings have several pages.
const fakeAvatars = 42

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, isTerminal(os.Stderr)))
}

// usageError is a command line the program cannot make sense of.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage:
  anam [--fake] avatars list [--search S] [--only-one-shot] [--page N] [--per-page N] [--all] [--json]
  anam [--fake] avatars get ID [--json]

Environment: ANAM_API_KEY (without it, the built-in fake API is used), ANAM_BASE_URL.
`

// run is the whole program, with its environment passed in for tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, progress bool) int {
	err := dispatch(ctx, args, getenv, stdout, stderr, progress)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "anam: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "anam: %s\n", strings.TrimPrefix(err.Error(), "anam: "))
		return 1
	}
}

type options struct {
	fake, asJSON, all, oneShot bool
	search                     string
	page, perPage              int
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, progress bool) error {
	var o options
	fs := flag.NewFlagSet("anam", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.fake, "fake", false, "run against the built-in fake Anam API")
	fs.BoolVar(&o.asJSON, "json", false, "print JSON instead of a table")
	fs.BoolVar(&o.all, "all", false, "list every page")
	fs.BoolVar(&o.oneShot, "only-one-shot", false, "only one-shot avatars")
	fs.StringVar(&o.search, "search", "", "filter by display name")
	fs.IntVar(&o.page, "page", 0, "page number (from 1)")
	fs.IntVar(&o.perPage, "per-page", 0, "avatars per page (1 to 100)")
	words, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return usageError{"no command given"}
	}
	if words[0] != "avatars" || len(words) < 2 {
		return usageError{fmt.Sprintf("unknown command %q", strings.Join(words, " "))}
	}
	cmd, rest := words[1], words[2:]
	switch {
	case cmd == "list" && len(rest) == 0:
	case cmd == "get" && len(rest) == 1:
	case cmd == "get":
		return usageError{"avatars get takes exactly one avatar ID"}
	default:
		return usageError{fmt.Sprintf("unknown command %q", strings.Join(words, " "))}
	}
	if o.all && o.page != 0 {
		return usageError{"--all and --page do not go together"}
	}

	client, done, err := connect(getenv, o.fake, stderr)
	if err != nil {
		return err
	}
	defer done()
	if cmd == "get" {
		a, err := client.GetAvatar(ctx, rest[0])
		if err != nil {
			return err
		}
		return printAvatar(stdout, a, o.asJSON)
	}
	return list(ctx, client, o, stdout, stderr, progress)
}

// parseInterspersed parses flags wherever they stand among the words, as
// users expect from `anam avatars get ID --json`.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return words, nil
		}
		if args[0] == "--" {
			return append(words, args[1:]...), nil
		}
		words = append(words, args[0])
		args = args[1:]
	}
}

// connect builds the client: the real API when a key is set and --fake is
// not given, else the embedded fake.
func connect(getenv func(string) string, fake bool, stderr io.Writer) (*api.Client, func(), error) {
	if !fake && strings.TrimSpace(getenv(api.EnvAPIKey)) == "" {
		fmt.Fprintf(stderr, "anam: %s is not set: using the built-in fake Anam API (pass --fake to choose it explicitly)\n", api.EnvAPIKey)
		fake = true
	}
	if fake {
		srv := anamtest.NewServer(anamtest.WithItems(fakeAvatars))
		c, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
		if err != nil {
			srv.Close()
			return nil, nil, err
		}
		return c, srv.Close, nil
	}
	opts := []api.Option{api.WithAPIKey(getenv(api.EnvAPIKey)), api.WithUserAgent("anam-cli")}
	if u := getenv(api.EnvBaseURL); u != "" {
		opts = append(opts, api.WithBaseURL(u))
	}
	c, err := api.NewClient(opts...)
	return c, func() {}, err
}

func list(ctx context.Context, c *api.Client, o options, stdout, stderr io.Writer, progress bool) error {
	params := &api.ListAvatarsParams{}
	if o.search != "" {
		params.Search = &o.search
	}
	if o.oneShot {
		params.OnlyOneShot = &o.oneShot
	}
	if o.page != 0 {
		params.Page = &o.page
	}
	if o.perPage != 0 {
		params.PerPage = &o.perPage
	}
	if !o.all {
		p, err := c.ListAvatars(ctx, params)
		if err != nil {
			return err
		}
		if o.asJSON {
			return writeJSON(stdout, struct {
				Data []api.Avatar `json:"data"`
				Meta any          `json:"meta"`
			}{p.Items, p.Meta})
		}
		if err := printTable(stdout, p.Items); err != nil {
			return err
		}
		footer(stdout, p)
		return nil
	}

	var all []api.Avatar
	for p, err := range c.AvatarPages(ctx, params) {
		if err != nil {
			if progress {
				fmt.Fprintln(stderr)
			}
			return err
		}
		all = append(all, p.Items...)
		if progress {
			fmt.Fprintf(stderr, "\rfetched page %d of %d (%d avatars)", p.Number(), deref(p.Meta.LastPage), len(all))
		}
	}
	if progress {
		fmt.Fprintln(stderr)
	}
	if o.asJSON {
		if all == nil {
			all = []api.Avatar{}
		}
		return writeJSON(stdout, all)
	}
	if err := printTable(stdout, all); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d avatars\n", len(all))
	return nil
}

func footer(w io.Writer, p *api.Page[api.Avatar]) {
	switch next, more := p.Next(); {
	case p.Total() == 0:
		fmt.Fprintln(w, "\nno avatars found")
	case more:
		fmt.Fprintf(w, "\npage %d of %d (%d avatars); next: --page %d, or --all\n", p.Number(), deref(p.Meta.LastPage), p.Total(), next)
	default:
		fmt.Fprintf(w, "\npage %d of %d (%d avatars)\n", p.Number(), deref(p.Meta.LastPage), p.Total())
	}
}

func printTable(w io.Writer, avatars []api.Avatar) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tVARIANT\tVERSION\tCREATED\tPREVIEW")
	for i := range avatars {
		a := &avatars[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", str(a.ID), str(a.DisplayName), str(a.VariantName), a.GetActiveVersion(), date(a.CreatedAt), previewShort(a))
	}
	return tw.Flush()
}

func printAvatar(w io.Writer, a *api.Avatar, asJSON bool) error {
	if asJSON {
		return writeJSON(w, a)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	org := "stock"
	if a.CreatedByOrganizationID.IsSpecified() && !a.CreatedByOrganizationID.IsNull() {
		org = a.CreatedByOrganizationID.MustGet()
	}
	versions := "-"
	if a.AvailableVersions != nil && len(*a.AvailableVersions) > 0 {
		versions = strings.Join(*a.AvailableVersions, ", ")
	}
	rows := [][2]string{
		{"ID", str(a.ID)},
		{"Name", str(a.DisplayName)},
		{"Variant", str(a.VariantName)},
		{"Active version", a.GetActiveVersion()},
		{"Versions", versions},
		{"Owner", org},
		{"Image", str(a.ImageURL)},
		{"Preview video", preview(a)},
		{"Created", date(a.CreatedAt)},
		{"Updated", date(a.UpdatedAt)},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	return tw.Flush()
}

func preview(a *api.Avatar) string {
	switch {
	case !a.VideoURL.IsSpecified():
		return "-"
	case a.VideoURL.IsNull():
		return "none yet"
	default:
		return a.VideoURL.MustGet()
	}
}

func previewShort(a *api.Avatar) string {
	if a.VideoURL.IsSpecified() && !a.VideoURL.IsNull() {
		return "yes"
	}
	return preview(a)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func str(p *string) string {
	if p == nil || *p == "" {
		return "-"
	}
	return *p
}

func date(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
