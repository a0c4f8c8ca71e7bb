// Command anam calls every operation of the Anam AI API from the command
// line. Its commands are derived from the OpenAPI document the SDK was
// generated from, with no code per operation:
//
//	anam <group> <command> [arguments] [flags]
//	anam avatars list --per-page 20 --render-style realistic
//	anam avatars list --all --json          # every avatar, as JSON Lines
//	anam avatars get ID
//	anam personas create --name Ada --data @persona.json
//	anam knowledge upload-knowledge-group-document GROUP_ID --form file=@notes.pdf
//	anam fake serve --items 50              # the built-in fake API, standalone
//
// The group is an operation's tag and the command its operationId, both
// kebab-cased; list, get, create, update and delete also name the usual
// operations on a group's main resource. Path parameters are positional
// arguments; query parameters and the top-level scalar fields of a JSON
// body are flags; --data gives a JSON body and --form a multipart one. See
// `anam --help`, `anam <group> --help` and `anam <group> <command> --help`.
//
// It reads ANAM_API_KEY (required unless --fake or ANAM_FAKE=1) and
// ANAM_BASE_URL (or --base-url). Exit codes: 0 success, 1 the call failed,
// 2 bad usage or an argument refused before anything was sent, 130
// interrupted.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, terminal: isTerminal(os.Stderr)}
	os.Exit(run(ctx, os.Args[1:], e))
}

// env is the program's environment, passed in so tests can give their own.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	terminal       bool // stderr is a terminal: show progress
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
