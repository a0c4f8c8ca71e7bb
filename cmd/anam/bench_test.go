package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/climeta"
)

// BenchmarkCommandTree is what every command pays before it runs: the
// command tree from the operations and the catalog, and its cobra
// commands with every flag.
func BenchmarkCommandTree(b *testing.B) {
	e := testEnv(nil, strings.NewReader(""), io.Discard, io.Discard)
	for b.Loop() {
		newApp(context.Background(), e, buildTree(api.Operations(), &climeta.Generated))
	}
}

// BenchmarkHelp is `anam --help` in process.
func BenchmarkHelp(b *testing.B) {
	e := testEnv(nil, strings.NewReader(""), io.Discard, io.Discard)
	for b.Loop() {
		if run(context.Background(), []string{"--help"}, e) != 0 {
			b.Fatal("exit")
		}
	}
}
