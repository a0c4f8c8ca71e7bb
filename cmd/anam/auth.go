package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anam-ai/anam-go/api"
)

// authCommand is `anam auth login|status|logout`.
func (a *app) authCommand() *cobra.Command {
	c := a.newGroup("auth", "Store, show and remove API keys, per profile")
	var withToken bool
	login := &cobra.Command{
		Use:   "login",
		Short: "Check an API key with one call and store it in a profile",
		Long: `Reads an API key (from the Anam Lab, API keys page) without echoing it, or
from standard input with --with-token, checks it with one cheap call to the
API, and stores it in the profile (--profile or ANAM_PROFILE, else
"default"), with the base URL when --base-url or ANAM_BASE_URL gives one.

  anam auth login
  anam auth login --profile test
  pass show anam/live | anam auth login --with-token --profile live`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return a.login(withToken) },
	}
	login.Flags().BoolVar(&withToken, "with-token", false, "read the key from standard input")
	status := &cobra.Command{
		Use:   "status",
		Short: "Show the profile, key source and base URL in use (never the key)",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, args []string) error { return a.status() },
	}
	logout := &cobra.Command{
		Use:   "logout",
		Short: "Remove the profile's stored key",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, args []string) error { return a.logout() },
	}
	c.AddCommand(login, status, logout)
	return c
}

// maxKeyBytes bounds a key read from standard input.
const maxKeyBytes = 4096

// login is `anam auth login`.
func (a *app) login(withToken bool) error {
	s, err := a.resolve()
	if err != nil {
		return err
	}
	var key string
	switch {
	case withToken:
		b, err := io.ReadAll(io.LimitReader(a.e.stdin, maxKeyBytes+1))
		if err != nil {
			return fmt.Errorf("reading the key from standard input: %w", err)
		}
		if len(b) > maxKeyBytes {
			return usageError{msg: fmt.Sprintf("--with-token: standard input is over %d bytes: that is not an API key", maxKeyBytes), cmd: "auth login"}
		}
		key = strings.TrimSpace(string(b))
	case a.e.stdinTTY && a.e.readSecret != nil:
		fmt.Fprintf(a.e.stderr, "Paste an API key for profile %q (from the Anam Lab, API keys page); it is not shown: ", s.profile)
		b, err := a.e.readSecret(a.ctx)
		fmt.Fprintln(a.e.stderr)
		if err != nil {
			return fmt.Errorf("reading the key: %w; nothing was stored", err)
		}
		key = strings.TrimSpace(string(b))
	default:
		return usageError{msg: "standard input is not a terminal: pipe the key in with --with-token", cmd: "auth login"}
	}
	if key == "" {
		return usageError{msg: "no key given: nothing was stored", cmd: "auth login"}
	}
	if strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return usageError{msg: "the key holds spaces or control characters: it is not an API key; nothing was stored", cmd: "auth login"}
	}
	// The base URL to check against, and to store when given.
	base, baseFrom := s.baseURL, s.baseFrom
	if fake, err := a.fakeOn(); err != nil {
		return err
	} else if fake {
		return usageError{msg: "--fake: the built-in fake takes no stored key; log in to the API, or to 'anam fake serve' with --base-url", cmd: "auth login"}
	}
	opts := []api.Option{api.WithAPIKey(key), api.WithBaseURL(base), api.WithUserAgent("anam-cli/" + cliVersion)}
	if a.g.debug {
		opts = append(opts, a.debugOptions()...)
	}
	client, err := api.NewClient(opts...)
	if err != nil {
		return configErrorOf(err, baseFrom)
	}
	if err := a.checkKey(client); err != nil {
		if errors.Is(err, api.ErrUnauthorized) {
			return fmt.Errorf("the API refused this key at %s: nothing was stored: %w", base, err)
		}
		return fmt.Errorf("the key could not be checked at %s, so it was not stored: %w", base, err)
	}
	profiles, err := s.store.load()
	if err != nil {
		return err
	}
	p := storedProfile{APIKey: key}
	if baseFrom == "--base-url" || baseFrom == api.EnvBaseURL {
		p.BaseURL = base
	} else if s.stored != nil {
		p.BaseURL = s.stored.BaseURL // kept from the previous login
	}
	profiles[s.profile] = p
	if err := s.store.save(profiles); err != nil {
		return err
	}
	fmt.Fprintf(a.e.stderr, "anam: the key works; stored in profile %q (%s)\n", s.profile, s.store.path)
	if k := a.e.getenv(api.EnvAPIKey); k != "" && k != key {
		fmt.Fprintf(a.e.stderr, "anam: note: %s is set and takes precedence over the stored key\n", api.EnvAPIKey)
	}
	return nil
}

// checkOperation is the call that checks a key: the first list operation
// (GET, no path parameter, no required query parameter) of the spec,
// asking for its smallest page. Chosen by rule, so that it is there in any
// version of the spec that has a list.
func (a *app) checkOperation() (*api.Operation, url.Values) {
	for _, g := range a.tree.groups {
		for _, c := range g.cmds {
			op := c.op
			if op.Method != "GET" || len(op.PathParams) > 0 || !op.Paginated {
				continue
			}
			q := url.Values{}
			required := false
			for _, p := range op.Query {
				required = required || p.Required
				if p.Name == "perPage" && p.Minimum != nil {
					q.Set("perPage", strconv.FormatInt(int64(*p.Minimum), 10))
				}
			}
			if !required {
				return op, q
			}
		}
	}
	return nil, nil
}

// checkKey makes one cheap call with the key.
func (a *app) checkKey(client *api.Client) error {
	op, q := a.checkOperation()
	if op == nil {
		return errors.New("the spec has no list operation to check a key with")
	}
	_, err := client.Do(a.ctx, op, api.RawRequest{Query: q})
	return err
}

// status is `anam auth status`: where the key and base URL come from,
// never the key.
func (a *app) status() error {
	s, err := a.resolve()
	if err != nil {
		return err
	}
	profiles, err := s.store.load()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(a.e.stdout)
	fmt.Fprintf(w, "profile:   %s (from %s)\n", s.profile, s.profileFrom)
	switch {
	case s.key == "":
		fmt.Fprintf(w, "key:       none: run 'anam auth login', or set %s\n", api.EnvAPIKey)
	case s.keyFrom == api.EnvAPIKey && s.stored != nil:
		fmt.Fprintf(w, "key:       from %s, which takes precedence over the key stored in profile %q\n", api.EnvAPIKey, s.profile)
	default:
		fmt.Fprintf(w, "key:       from %s\n", s.keyFrom)
	}
	fmt.Fprintf(w, "base URL:  %s (from %s)\n", s.baseURL, s.baseFrom)
	list := "none"
	if len(profiles) > 0 {
		list = strings.Join(names(profiles), ", ")
	}
	if s.store.path == "" {
		fmt.Fprintf(w, "profiles:  %s (%s)\n", list, s.store.noDir)
	} else {
		fmt.Fprintf(w, "profiles:  %s (in %s)\n", list, s.store.path)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if s.key == "" {
		return failure{"not logged in"}
	}
	return nil
}

// logout is `anam auth logout`.
func (a *app) logout() error {
	s, err := a.resolve()
	if err != nil {
		return err
	}
	profiles, err := s.store.load()
	if err != nil {
		return err
	}
	if _, ok := profiles[s.profile]; !ok {
		return fmt.Errorf("profile %q is not stored (%s): nothing to remove", s.profile, s.store.where())
	}
	delete(profiles, s.profile)
	if err := s.store.save(profiles); err != nil {
		return err
	}
	fmt.Fprintf(a.e.stderr, "anam: removed profile %q from %s\n", s.profile, s.store.path)
	if a.e.getenv(api.EnvAPIKey) != "" {
		fmt.Fprintf(a.e.stderr, "anam: note: %s is still set, and is the key anam uses\n", api.EnvAPIKey)
	}
	return nil
}
