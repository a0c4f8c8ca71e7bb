package main

// The fake API itself is started in fakeserver.go, the only file that
// knows package anamtest: the rest of the CLI sees a base URL and a key.

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/anam-ai/anam-go/api"
)

// fakeGroup is the built-in group of `anam fake serve`; it hides a spec
// tag of the same name.
const fakeGroup = "fake"

// defaultFakeItems is how many generated items the fake holds besides the
// spec's examples, so that listings have several pages.
const defaultFakeItems = 24

// fakeAPI is a running fake Anam API.
type fakeAPI struct {
	url, key string
	close    func()
}

// fakeCommand is `anam fake serve [--addr HOST:PORT] [--items N]`: the
// fake on its own, until interrupted, printing the environment that points
// the CLI (or any SDK program) at it.
func (a *app) fakeCommand() *cobra.Command {
	c := a.newGroup(fakeGroup, "Run the built-in fake Anam API on its own (anam fake serve)")
	var addr string
	var items int
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the fake API until interrupted, printing ANAM_BASE_URL and ANAM_API_KEY",
		Long:  fakeHelp,
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if items < 0 {
				return usageError{msg: "--items must not be negative", cmd: "fake serve"}
			}
			f, err := startFake(addr, items)
			if err != nil {
				return usageError{msg: fmt.Sprintf("--addr %s: %v", addr, err), cmd: "fake serve"}
			}
			defer f.close()
			fmt.Fprintf(a.e.stdout, "%s=%s\n%s=%s\n", api.EnvBaseURL, f.url, api.EnvAPIKey, f.key)
			fmt.Fprintf(a.e.stderr, "anam: serving the fake Anam API (%s items) at %s until interrupted\n", strconv.Itoa(items), f.url)
			<-a.ctx.Done()
			if !errors.Is(a.ctx.Err(), context.Canceled) {
				return a.ctx.Err()
			}
			return nil
		},
	}
	serve.Flags().StringVar(&addr, "addr", "", "listen on this address, e.g. 127.0.0.1:8080 (default: a free loopback port)")
	serve.Flags().IntVar(&items, "items", defaultFakeItems, "generated items besides the spec's examples")
	c.AddCommand(serve)
	return c
}

const fakeHelp = `Run the built-in fake Anam API, which answers every operation of the spec
with data that matches it, on its own.

It prints ANAM_BASE_URL=... and ANAM_API_KEY=... lines on standard output
and serves until interrupted. In one terminal:

  anam fake serve --addr 127.0.0.1:8080

and in another, with the two lines it printed exported:

  export ANAM_BASE_URL=http://127.0.0.1:8080 ANAM_API_KEY=<the key it printed>
  anam avatars list`
