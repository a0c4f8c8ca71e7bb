package main

// This file is the only one that knows the fake API package: the rest of
// the CLI sees a base URL and a key.

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
)

// fakeGroup is the built-in group of `anam fake serve`; it hides a spec
// tag of the same name.
const fakeGroup = "fake"

// defaultFakeItems is how many generated items the fake holds besides the
// spec's examples, so that listings have several pages.
const defaultFakeItems = 42

// fakeAPI is a running fake Anam API.
type fakeAPI struct {
	url, key string
	close    func()
}

// startFake starts the fake Anam API on addr, a loopback address ("" for a
// free loopback port).
func startFake(addr string, items int) (*fakeAPI, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	srv, err := anamtest.Start(addr, anamtest.WithItems(items))
	if err != nil {
		return nil, err
	}
	return &fakeAPI{url: srv.URL, key: srv.APIKey(), close: srv.Close}, nil
}

// fakeCommand runs `anam fake serve [--addr HOST:PORT] [--items N]`: the
// fake on its own, until interrupted, printing the environment that points
// the CLI (or any SDK program) at it.
func fakeCommand(ctx context.Context, words, rest []string, g globals, e env) error {
	fs := newFlagSet()
	g.register(fs)
	addr := fs.String("addr", "", "listen on this address, e.g. 127.0.0.1:8080 (default: a free loopback port)")
	items := fs.Int("items", defaultFakeItems, "generated items besides the spec's examples")
	more, _, err := parseWords(fs, rest, -1)
	if err != nil {
		return err
	}
	words = append(words, more...)
	if g.help || len(words) == 0 {
		fmt.Fprint(e.stdout, fakeHelp)
		if g.help {
			return nil
		}
		return usagef("fake: no command given")
	}
	if words[0] != "serve" || len(words) > 1 {
		return usagef("unknown command %q for \"fake\" (see 'anam fake --help')", words[0])
	}
	if *items < 0 {
		return usagef("--items must not be negative")
	}
	f, err := startFake(*addr, *items)
	if err != nil {
		return usagef("--addr %s: %v", *addr, err)
	}
	defer f.close()
	base := f.url
	fmt.Fprintf(e.stdout, "%s=%s\n%s=%s\n", api.EnvBaseURL, base, api.EnvAPIKey, f.key)
	fmt.Fprintf(e.stderr, "anam: serving the fake Anam API (%s items) at %s until interrupted\n", strconv.Itoa(*items), base)
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return nil
}

const fakeHelp = `Run the built-in fake Anam API, which answers every operation of the spec
with data that matches it, on its own.

Usage:
  anam fake serve [--addr HOST:PORT] [--items N]

It prints ANAM_BASE_URL=... and ANAM_API_KEY=... lines on standard output
and serves until interrupted. In one terminal:

  anam fake serve --addr 127.0.0.1:8080

and in another, with the two lines it printed exported:

  export ANAM_BASE_URL=http://127.0.0.1:8080 ANAM_API_KEY=<the key it printed>
  anam avatars list

Flags:
  --addr HOST:PORT  listen on this address (default: a free loopback port)
  --items N         generated items besides the spec's examples (default 42)
`
