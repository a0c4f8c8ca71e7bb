// Command anam calls every operation of the Anam AI API from the command
// line. Its commands are derived from the OpenAPI document the SDK was
// generated from, with no code per operation:
//
//	anam <group> <command> [arguments] [flags]
//	anam avatars list --per-page 20 --render-style realistic
//	anam avatars list --all --json          # every avatar, as JSON Lines
//	anam avatars list --all --jq .id        # one field of each
//	anam avatars get ID
//	anam personas create --name Ada --data @persona.json
//	anam knowledge upload-knowledge-group-document GROUP_ID --form file=@notes.pdf
//	anam auth login                         # store a key (or --profile test)
//	anam fake serve --items 50              # the built-in fake API, standalone
//
// The group is an operation's tag and the command its operationId, both
// kebab-cased; list, get, create, update and delete also name the usual
// operations on a group's main resource. Path parameters are positional
// arguments; query parameters and the top-level scalar fields of a request
// body are flags; --data gives a JSON body and --form a multipart one. See
// `anam help`, `anam help <group>` and `anam help <group> <command>`.
//
// The key comes from ANAM_API_KEY, else from the profile `anam auth login`
// stored (--profile or ANAM_PROFILE, else "default"); --fake (or
// ANAM_FAKE=1) needs none. Exit codes: 0 success, 1 the call failed, 2 bad
// usage or an argument refused before anything was sent, 130 interrupted.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"time"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := env{
		getenv: os.Getenv,
		stdin:  os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdinTTY:   term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY:  term.IsTerminal(int(os.Stderr.Fd())),
		readSecret: readSecret,
		now:        time.Now,
	}
	os.Exit(run(ctx, os.Args[1:], e))
}

// env is the program's environment, passed in so that tests can give
// their own.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer

	// Which standard streams are terminals: prompts need stdin and stderr,
	// progress needs stdout and stderr, colour is per stream.
	stdinTTY, stdoutTTY, stderrTTY bool
	// readSecret reads a line from the terminal without echo; nil when
	// there is no terminal to read from.
	readSecret func(context.Context) ([]byte, error)
	now        func() time.Time
}

// readSecret reads a line from the terminal on stdin without echo. If ctx
// ends first (Ctrl-C), it puts the terminal back as it was, echo on, and
// returns ctx's error.
func readSecret(ctx context.Context) ([]byte, error) {
	fd := int(os.Stdin.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	type line struct {
		b   []byte
		err error
	}
	ch := make(chan line, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- line{b, err}
	}()
	select {
	case l := <-ch:
		return l.b, l.err
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		return nil, ctx.Err()
	}
}
