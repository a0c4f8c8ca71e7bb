package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const livID = "071b0286-4cce-4808-bee2-e642f1062de3"

func TestNamesAndVerbs(t *testing.T) {
	for in, want := range map[string]string{
		"Share Links": "share-links", "LLMs": "llms", "getSessionTranscript": "get-session-transcript",
		"listLlms": "list-llms", "apiKeyId": "api-key-id", "HTTPServer": "http-server", "perPage": "per-page", "": "",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
	tr, _ := testTree(t)
	for _, tc := range []struct{ group, word, path, method string }{
		{"avatars", "list", "/v1/avatars", "GET"},
		{"avatars", "get", "/v1/avatars/{id}", "GET"},
		{"personas", "create", "/v1/personas", "POST"},
		{"voices", "update", "/v1/voices/{id}", "PUT"},
		{"meetings", "delete", "/v1/meetings/invites/{id}", "DELETE"},
		{"knowledge", "list", "/v1/knowledge/groups", "GET"},
		{"sessions", "get", "/v1/sessions/{id}", "GET"},
		{"share-links", "list-share-links", "/v1/share-links", "GET"},
		{"sessions", "get-session-transcript", "/v1/sessions/{id}/transcript", "GET"},
		{"sessions", "create-session-token", "/v1/auth/session-token", "POST"},
	} {
		g := tr.lookup(tc.group)
		if g == nil {
			t.Fatalf("no group %q", tc.group)
		}
		c := g.lookup(tc.word)
		if c == nil || c.op.Path != tc.path || c.op.Method != tc.method {
			t.Errorf("anam %s %s = %+v, want %s %s", tc.group, tc.word, c, tc.method, tc.path)
		}
	}
	// Not the main resource: no verb.
	if c := tr.lookup("knowledge").lookup("get-knowledge-document"); c == nil || c.verb != "" {
		t.Errorf("get-knowledge-document has verb %q", c.verb)
	}
	if c := tr.lookup("sessions").lookup("create"); c != nil {
		t.Errorf("sessions create = %s, but /v1/auth/session-token is not the sessions collection", c.name)
	}
}

func TestHelp(t *testing.T) {
	tr, _ := testTree(t)
	r := cli(t, nil, "", "--help")
	mustExit(t, r, exitOK)
	for _, g := range tr.groups {
		if !strings.Contains(r.stdout, "  "+g.name+" ") {
			t.Errorf("root help does not list %s", g.name)
		}
		gr := cli(t, nil, "", g.name, "--help")
		mustExit(t, gr, exitOK)
		for _, c := range g.cmds {
			if !strings.Contains(gr.stdout, c.name) {
				t.Errorf("%s help does not list %s", g.name, c.name)
			}
			cr := cli(t, nil, "", g.name, c.name, "-h")
			mustExit(t, cr, exitOK)
			if !strings.Contains(cr.stdout, c.op.Summary) || !strings.Contains(cr.stdout, c.op.Path) {
				t.Errorf("%s %s help lacks the summary or path:\n%s", g.name, c.name, cr.stdout)
			}
			for _, p := range c.op.PathParams {
				if !strings.Contains(cr.stdout, argName(p.Name)) {
					t.Errorf("%s %s help does not mention argument %s", g.name, c.name, argName(p.Name))
				}
			}
			for _, q := range c.op.Query {
				if !strings.Contains(cr.stdout, "--"+kebab(q.Name)) {
					t.Errorf("%s %s help does not mention --%s", g.name, c.name, kebab(q.Name))
				}
				for _, e := range q.Enum {
					if !strings.Contains(cr.stdout, e) {
						t.Errorf("%s %s help does not list the value %s of --%s", g.name, c.name, e, kebab(q.Name))
					}
				}
			}
		}
	}
	// A description from the spec, and a body field flag.
	r = cli(t, nil, "", "avatars", "list", "--help")
	if !strings.Contains(r.stdout, "Number of avatars per page") || !strings.Contains(r.stdout, "1 to 100") {
		t.Errorf("avatars list help lacks the per-page description or range:\n%s", r.stdout)
	}
	r = cli(t, nil, "", "avatars", "update", "ID", "--help")
	if !strings.Contains(r.stdout, "--display-name string") || !strings.Contains(r.stdout, "required") {
		t.Errorf("avatars update help lacks the body field flag:\n%s", r.stdout)
	}
	r = cli(t, nil, "", "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "anam ") {
		t.Errorf("--version: %+v", r)
	}
}

// countingServer counts requests and answers 200 {}.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestUsageExitCodes(t *testing.T) {
	srv, n := countingServer(t)
	env := map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": srv.URL}
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "no command given"},
		{"unknown group", []string{"avatarz", "list"}, `unknown command "avatarz"`},
		{"unknown command", []string{"avatars", "lits"}, `unknown command "lits"`},
		{"missing positional", []string{"avatars", "get"}, "takes one argument, ID"},
		{"extra positional", []string{"avatars", "list", "x"}, "takes no arguments"},
		{"unknown flag", []string{"avatars", "list", "--bogus"}, "not defined: -bogus"},
		{"not an integer", []string{"avatars", "list", "--per-page", "ten"}, `"ten" is not an integer`},
		{"per-page over the maximum", []string{"avatars", "list", "--per-page", "500"}, "--per-page 500 is invalid: it must be an integer from 1 to 100; no request was sent"},
		{"enum", []string{"avatars", "list", "--render-style", "cubist"}, "one of all, realistic"},
		{"bad uuid", []string{"avatars", "get", "not-a-uuid"}, "argument ID"},
		{"all and page", []string{"avatars", "list", "--all", "--page", "2"}, "--all and --page"},
		{"bad JSON", []string{"personas", "create", "--data", "{nope"}, "--data is not valid JSON"},
		{"missing data file", []string{"personas", "create", "--data", "@/nonexistent/x.json"}, "--data @/nonexistent/x.json"},
		{"missing form file", []string{"knowledge", "upload-knowledge-group-document", livID, "--form", "file=@/nonexistent/f.pdf"}, "--form file"},
		{"body required", []string{"avatars", "update", livID}, "the request body"},
		{"field flag on a non-object", []string{"avatars", "update", livID, "--data", "[1]", "--display-name", "x"}, "must be a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, env, "", tc.args...)
			mustExit(t, r, exitUsage)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q does not say %q", r.stderr, tc.want)
			}
		})
	}
	if got := n.Load(); got != 0 {
		t.Errorf("%d requests were sent for refused command lines", got)
	}
}

func TestConfiguration(t *testing.T) {
	r := cli(t, nil, "", "avatars", "list")
	mustExit(t, r, exitUsage)
	for _, want := range []string{"ANAM_API_KEY", "--fake"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("no-key message %q does not mention %s", r.stderr, want)
		}
	}
	r = cli(t, map[string]string{"ANAM_API_KEY": "k"}, "", "--base-url", "ftp://x", "avatars", "list")
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--base-url") || strings.Contains(r.stderr, "WithBaseURL") {
		t.Errorf("a bad --base-url is not reported in the CLI's words: %q", r.stderr)
	}
	r = cli(t, map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": "http://api.example.com"}, "", "avatars", "list")
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "ANAM_BASE_URL") || strings.Contains(r.stderr, "WithBaseURL") {
		t.Errorf("a bad ANAM_BASE_URL is not reported in the CLI's words: %q", r.stderr)
	}
	for _, args := range [][]string{{"--fake", "avatars", "get", livID}, {"avatars", "get", livID}} {
		env := map[string]string{}
		if args[0] != "--fake" {
			env["ANAM_FAKE"] = "1"
		}
		r = cli(t, env, "", args...)
		mustExit(t, r, exitOK)
		if !strings.Contains(r.stderr, "fake") || !strings.Contains(r.stdout, "Liv") {
			t.Errorf("%v: stdout %q stderr %q", args, r.stdout, r.stderr)
		}
	}
}

func TestCallFailedAndDebug(t *testing.T) {
	rec := newRecorder(t, http.StatusInternalServerError, `{"error":"boom"}`)
	env := rec.env()
	env["ANAM_API_KEY"] = "sk-secret-key-123"
	r := cli(t, env, "", "--debug", "personas", "create", "--name", "x")
	mustExit(t, r, exitFailed)
	if !strings.Contains(r.stderr, "500") || !strings.Contains(r.stderr, "boom") {
		t.Errorf("stderr %q does not report the server's 500", r.stderr)
	}
	if !strings.Contains(r.stderr, "level=DEBUG") || !strings.Contains(r.stderr, "status=500") {
		t.Errorf("--debug logged no attempt: %q", r.stderr)
	}
	if strings.Contains(r.stderr, "sk-secret-key-123") {
		t.Errorf("the API key is on stderr: %q", r.stderr)
	}
}

func TestInterruptExits130(t *testing.T) {
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	r := cliCtx(ctx, t, map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": srv.URL}, "", "avatars", "get", livID)
	mustExit(t, r, exitInterrupted)
}

func TestFakeServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var stderr strings.Builder
		done <- run(ctx, []string{"fake", "serve", "--addr", "127.0.0.1:0", "--items", "5"}, testEnv(nil, strings.NewReader(""), pw, &stderr))
		pw.Close()
	}()
	env := map[string]string{}
	buf := make([]byte, 0, 512)
	tmp := make([]byte, 512)
	deadline := time.After(10 * time.Second)
	for strings.Count(string(buf), "\n") < 2 {
		ch := make(chan int, 1)
		go func() { n, _ := pr.Read(tmp); ch <- n }()
		select {
		case n := <-ch:
			buf = append(buf, tmp[:n]...)
		case <-deadline:
			t.Fatalf("fake serve printed %q", buf)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(buf)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	if env["ANAM_BASE_URL"] == "" || env["ANAM_API_KEY"] == "" {
		t.Fatalf("fake serve printed %q", buf)
	}
	r := cli(t, env, "", "--json", "avatars", "list", "--all")
	mustExit(t, r, exitOK)
	if n := strings.Count(r.stdout, "\n"); n != 6 {
		t.Errorf("%d avatars through fake serve, want 6 (the example and 5 generated)", n)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("fake serve exited %d after the interrupt", code)
	}
}
