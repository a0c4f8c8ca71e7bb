package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the program with the given environment (nil: none at all) and
// standard input.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return cliCtx(context.Background(), t, env, stdin, args...)
}

func cliCtx(ctx context.Context, t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := testEnv(env, strings.NewReader(stdin), &out, &errOut)
	code := run(ctx, args, e)
	return result{code, out.String(), errOut.String()}
}

func testEnv(vars map[string]string, stdin io.Reader, stdout, stderr io.Writer) env {
	return env{getenv: func(k string) string { return vars[k] }, stdin: stdin, stdout: stdout, stderr: stderr}
}

// fakeEnv starts the built-in fake (through fake.go, as the CLI does) and
// returns the environment that points the CLI at it.
func fakeEnv(t *testing.T, items int) map[string]string {
	t.Helper()
	f, err := startFake("", items)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.close)
	return map[string]string{"ANAM_API_KEY": f.key, "ANAM_BASE_URL": f.url}
}

// recorder is a loopback server that answers every request with a fixed
// status and body and records what it received.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
}

type recorded struct {
	method, path, query, contentType string
	body                             []byte
}

func newRecorder(t *testing.T, status int, body string) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, recorded{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("Content-Type"), b})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) env() map[string]string {
	return map[string]string{"ANAM_API_KEY": "test-key", "ANAM_BASE_URL": r.URL}
}

func (r *recorder) got() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	got := r.got()
	if len(got) == 0 {
		t.Fatal("the server received no request")
	}
	return got[len(got)-1]
}

func mustExit(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
}
