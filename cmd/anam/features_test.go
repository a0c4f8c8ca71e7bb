package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

// TestStdoutCarriesDataOnly checks that a page's footer and a list's count
// go to stderr, so that a pipe gets the table rows alone.
func TestStdoutCarriesDataOnly(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	items := []string{`{"id":"a1","name":"one"}`, `{"id":"a2","name":"two"}`}
	rec := newRecorder(t, 200, pageOf(items, 1, 3, 25))
	r := cli(t, rec.env(), "", words(list)...)
	mustExit(t, r, exitOK)
	if strings.Contains(r.stdout, "page 1 of 3") || !strings.Contains(r.stderr, "page 1 of 3 (25 items); next: --page 2, or --all") {
		t.Errorf("footer: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	if lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n"); len(lines) != 3 || !strings.Contains(lines[1], "a1") {
		t.Errorf("stdout is not a header and two rows: %q", r.stdout)
	}
	rec = newRecorder(t, 200, pageOf(nil, 1, 1, 0))
	r = cli(t, rec.env(), "", words(list)...)
	mustExit(t, r, exitOK)
	if r.stdout != "" || !strings.Contains(r.stderr, "no items found") {
		t.Errorf("an empty page: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestJQAndTemplate(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	get := pick(t, "get by UUID", uuidGet)
	one := `{"id":"a1","name":"Ada","n":12345678901234567890,"tags":["x","y"]}`
	rec := newRecorder(t, 200, one)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--jq", ".name"}, "Ada\n"},                        // strings as text
		{[]string{"--jq", ".tags"}, `["x","y"]` + "\n"},             // anything else as JSON
		{[]string{"--jq", ".n"}, "12345678901234567890\n"},          // big integers exact
		{[]string{"--jq", ".tags[]"}, "x\ny\n"},                     // several results
		{[]string{"--jq", "empty"}, ""},                             // none
		{[]string{"--template", "{{.id}}: {{.name}}"}, "a1: Ada\n"}, // a newline is added
		{[]string{"--template", "{{.name}}\n"}, "Ada\n"},            // not twice
		{[]string{"--template", `{{join "," .tags}} {{json .tags}}`}, `x,y ["x","y"]` + "\n"},
	} {
		r := cli(t, rec.env(), "", append(tc.args, words(get, someID)...)...)
		mustExit(t, r, exitOK)
		if r.stdout != tc.want {
			t.Errorf("%v printed %q, want %q", tc.args, r.stdout, tc.want)
		}
	}
	// A runtime error of the expression is a failure, exit 1.
	r := cli(t, rec.env(), "", append([]string{"--jq", ".name | tonumber"}, words(get, someID)...)...)
	mustExit(t, r, exitFailed)
	if !strings.Contains(r.stderr, "--jq") {
		t.Errorf("stderr %q", r.stderr)
	}
	// On each item of --all; on the whole page without it.
	ps := newPageServer(t, 250, 0, nil)
	r = cli(t, ps.env(), "", append([]string{"--jq", ".displayName"}, words(list, "--all", "--limit", "120")...)...)
	mustExit(t, r, exitOK)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 120 || lines[0] != "Avatar 0" || lines[119] != "Avatar 119" {
		t.Errorf("--jq on --all printed %d lines: %q ... %q", len(lines), lines[0], lines[len(lines)-1])
	}
	r = cli(t, ps.env(), "", append([]string{"--template", "{{.id}}"}, words(list, "--all", "--limit", "3")...)...)
	mustExit(t, r, exitOK)
	if strings.Count(r.stdout, "\n") != 3 || !strings.HasPrefix(r.stdout, "00000000-0000-4000-8000-000000000000\n") {
		t.Errorf("--template on --all printed %q", r.stdout)
	}
	r = cli(t, ps.env(), "", append([]string{"--jq", ".meta.total"}, words(list)...)...)
	mustExit(t, r, exitOK)
	if r.stdout != "250\n" {
		t.Errorf("--jq on a page printed %q", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("--jq printed a footer: %q", r.stderr)
	}
}

// TestDestructiveConfirmation checks that a destructive command is refused
// without a terminal unless --yes, before anything is sent; the prompt on
// a terminal is tested in a pseudo-terminal (pty_test.go).
func TestDestructiveConfirmation(t *testing.T) {
	for _, g := range genTree().groups {
		for _, c := range g.cmds {
			if c.op.Method == "DELETE" && !c.destructive() {
				t.Errorf("%s (DELETE) asks for no confirmation", c.path())
			}
			if c.op.Method == "GET" && c.destructive() {
				t.Errorf("%s (GET) asks for confirmation", c.path())
			}
		}
	}
	del := pick(t, "delete by ID", deleteByID)
	rec := newRecorder(t, 204, "")
	r := cli(t, rec.env(), "y\n", words(del, someID)...)
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--yes") || !strings.Contains(r.stderr, "nothing was sent") || len(rec.got()) != 0 {
		t.Errorf("without a terminal: stderr %q, %d requests", r.stderr, len(rec.got()))
	}
	r = cli(t, rec.env(), "", words(del, someID, "--yes")...)
	mustExit(t, r, exitOK)
	if got := rec.last(t); got.method != del.op.Method || got.path != expandPath(del.op.Path, []string{someID}) {
		t.Errorf("sent %s %s", got.method, got.path)
	}
	// Not destructive: a GET asks nothing.
	get := pick(t, "get by UUID", uuidGet)
	if get.destructive() {
		t.Errorf("%s is destructive", get.path())
	}
}

// TestDebug checks the --debug line of every attempt: method, path with
// its query, page, status, request ID, attempt number and duration; and
// that the key never shows, even when the server echoes it.
func TestDebug(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	const key = "sk-debug-secret-0123456789"
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-"+key) // a server that echoes the key
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(503)
			_, _ = w.Write([]byte(`{"message":"try again, ` + key + `"}`))
			return
		}
		_, _ = w.Write([]byte(pageOf([]string{`{"id":"a1"}`}, 2, 3, 21)))
	}))
	defer srv.Close()
	env := map[string]string{"ANAM_API_KEY": key, "ANAM_BASE_URL": srv.URL, envConfigDir: t.TempDir()}
	r := cli(t, env, "", append([]string{"--debug"}, words(list, "--page", "2", "--per-page", "10")...)...)
	mustExit(t, r, exitOK)
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "anam: debug: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d debug lines, want one per attempt (2):\n%s", len(lines), r.stderr)
	}
	for i, want := range [][]string{
		{"GET " + list.op.Path + "?", "page=2", "perPage=10", " page=2 ", "status=503", "attempt=1", "duration=", "retry_in="},
		{"GET " + list.op.Path + "?", " page=2 ", "status=200", "attempt=2", "request_id=req-[redacted]"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q lacks %q", i+1, lines[i], w)
			}
		}
	}
	if strings.Contains(r.stderr, key) {
		t.Errorf("the key is on stderr:\n%s", r.stderr)
	}
}

// TestAuth logs in against the fake, then checks status, precedence and
// logout, and that a refused key is not stored.
func TestAuth(t *testing.T) {
	env := fakeEnv(t, 0)
	key := env["ANAM_API_KEY"]
	base := env["ANAM_BASE_URL"]
	cfg := env[envConfigDir]
	loginEnv := map[string]string{envConfigDir: cfg, "ANAM_BASE_URL": base}
	list := pick(t, "paginated list", pagedList)

	// Without a terminal and without --with-token: exit 2.
	r := cli(t, loginEnv, key, "auth", "login")
	mustExit(t, r, exitUsage)
	// A refused key is not stored.
	r = cli(t, loginEnv, "sk-wrong-key-0000000000", "auth", "login", "--with-token")
	mustExit(t, r, exitFailed)
	if !strings.Contains(r.stderr, "refused") || strings.Contains(r.stderr, "sk-wrong-key-0000000000") {
		t.Errorf("refused key: %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(cfg, profilesFile)); err == nil {
		t.Errorf("a refused key was stored")
	}
	// A good one is, with mode 0600, with the base URL it was checked at.
	r = cli(t, loginEnv, key+"\n", "auth", "login", "--with-token", "--profile", "test")
	mustExit(t, r, exitOK)
	st, err := os.Stat(filepath.Join(cfg, profilesFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("profiles file: %v %v", st, err)
	}
	b, _ := os.ReadFile(filepath.Join(cfg, profilesFile))
	var doc profilesDoc
	if err := json.Unmarshal(b, &doc); err != nil || doc.Profiles["test"].APIKey != key || doc.Profiles["test"].BaseURL != base {
		t.Errorf("stored %s (%v)", b, err)
	}
	// The profile works with no key nor base URL in the environment.
	only := map[string]string{envConfigDir: cfg}
	r = cli(t, only, "", append([]string{"--profile", "test", "--json"}, words(list)...)...)
	mustExit(t, r, exitOK)
	r = cli(t, map[string]string{envConfigDir: cfg, envProfile: "test"}, "", "auth", "status")
	mustExit(t, r, exitOK)
	for _, want := range []string{"profile:   test (from ANAM_PROFILE)", `key:       from profile "test"`, "base URL:  " + base + ` (from profile "test")`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, key) {
		t.Errorf("status shows the key")
	}
	// Precedence: the environment over the profile, a flag over both.
	r = cli(t, map[string]string{envConfigDir: cfg, envProfile: "test", "ANAM_API_KEY": "sk-env-key-000000000000", "ANAM_BASE_URL": "https://env.example.com"},
		"", "--base-url", "https://flag.example.com", "auth", "status")
	mustExit(t, r, exitOK)
	for _, want := range []string{"key:       from ANAM_API_KEY, which takes precedence", "base URL:  https://flag.example.com (from --base-url)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}
	// The default profile is not stored: no key.
	r = cli(t, only, "", "auth", "status")
	mustExit(t, r, exitFailed)
	r = cli(t, only, "", "--profile", "nope", "auth", "status")
	mustExit(t, r, exitFailed)
	r = cli(t, only, "", append([]string{"--profile", "nope"}, words(list)...)...)
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "anam auth login --profile nope") {
		t.Errorf("an unknown profile: %q", r.stderr)
	}
	// Logout removes it; twice is an error.
	r = cli(t, only, "", "auth", "logout", "--profile", "test")
	mustExit(t, r, exitOK)
	r = cli(t, only, "", "auth", "logout", "--profile", "test")
	mustExit(t, r, exitFailed)
	r = cli(t, only, "", append([]string{"--profile", "test"}, words(list)...)...)
	mustExit(t, r, exitUsage)
	// A file readable by others is used, with a warning.
	if err := os.WriteFile(filepath.Join(cfg, profilesFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(cfg, profilesFile), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, only, "", "--profile", "test", "auth", "status")
	mustExit(t, r, exitOK)
	if !strings.Contains(r.stderr, "chmod 600") {
		t.Errorf("no warning for a 0644 profiles file: %q", r.stderr)
	}
	// A file anam cannot read is an error that says what to do.
	if err := os.WriteFile(filepath.Join(cfg, profilesFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = cli(t, only, "", "auth", "status")
	mustExit(t, r, exitUsage)
}

// TestBodyOfTheWrongKind checks that a field flag is refused in a body it
// does not belong to, before sending.
func TestBodyOfTheWrongKind(t *testing.T) {
	both := pick(t, "operation that takes JSON or a form, with a JSON-only field", func(c *command) bool {
		if c.op.Body&api.BodyJSON == 0 || c.op.Body&api.BodyMultipart == 0 {
			return false
		}
		for _, f := range bodyFlags(c) {
			if f.inJSON && !f.inForm {
				return true
			}
		}
		return false
	})
	var jsonOnly *specFlag
	for _, f := range bodyFlags(both) {
		if f.inJSON && !f.inForm {
			jsonOnly = f
			break
		}
	}
	rec := newRecorder(t, 201, `{}`)
	args := make([]string, len(both.op.PathParams))
	for i := range args {
		args[i] = someID
	}
	r := cli(t, rec.env(), "", words(both, append(args, "--form", "x=y", "--"+jsonOnly.name, "v")...)...)
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--"+jsonOnly.name+" is a field of the JSON body") || len(rec.got()) != 0 {
		t.Errorf("stderr %q, %d requests", r.stderr, len(rec.got()))
	}
}

// TestNoConfigDirectory checks that a machine with no home directory can
// still use ANAM_API_KEY, and that login says where to keep profiles.
func TestNoConfigDirectory(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	env := fakeEnv(t, 0)
	delete(env, envConfigDir)
	list := pick(t, "paginated list", pagedList)
	r := cli(t, env, "", append([]string{"--json"}, words(list)...)...)
	mustExit(t, r, exitOK)
	r = cli(t, map[string]string{"ANAM_BASE_URL": env["ANAM_BASE_URL"]}, env["ANAM_API_KEY"], "auth", "login", "--with-token")
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, envConfigDir) {
		t.Errorf("login with no home: %q", r.stderr)
	}
}

// TestFlagsAnywhere checks flags before, between and after the words, and
// after "--" only arguments.
func TestFlagsAnywhere(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	rec := newRecorder(t, 200, pageOf(nil, 1, 1, 0))
	for _, args := range [][]string{
		{"--base-url", rec.URL, "--json", list.group.name, list.name, "--per-page", "5"},
		{"--json", list.group.name, "--base-url=" + rec.URL, list.name, "--per-page=5"},
		{list.group.name, list.name, "--per-page", "5", "--json", "--base-url", rec.URL},
		{"help", list.group.name, list.name},
	} {
		r := cli(t, map[string]string{"ANAM_API_KEY": "k", envConfigDir: t.TempDir()}, "", args...)
		mustExit(t, r, exitOK)
		if args[0] == "help" {
			if !strings.Contains(r.stdout, "--per-page") {
				t.Errorf("anam help %s %s lists no flags", list.group.name, list.name)
			}
			continue
		}
		if q := rec.last(t).query; q != "perPage=5" {
			t.Errorf("%v sent the query %q", args, q)
		}
	}
	get := pick(t, "get by UUID", uuidGet)
	r := cli(t, map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": rec.URL}, "", words(get, "--", "--json")...)
	mustExit(t, r, exitUsage) // "--json" is the argument after "--": not a UUID
	if !strings.Contains(r.stderr, `"--json"`) {
		t.Errorf("stderr %q", r.stderr)
	}
}

// TestDebugWalk checks that the --debug lines of an --all walk tell its
// pages apart.
func TestDebugWalk(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	ps := newPageServer(t, 250, 0, nil)
	r := cli(t, ps.env(), "", append([]string{"--debug", "--json"}, words(list, "--all", "--concurrency", "2")...)...)
	mustExit(t, r, exitOK)
	for _, page := range []string{"1", "2", "3"} {
		if !strings.Contains(r.stderr, "page="+page+"&") || !strings.Contains(r.stderr, " page="+page+" status=200") {
			t.Errorf("no --debug line for page %s:\n%s", page, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "anam: debug: "); n != 3 {
		t.Errorf("%d --debug lines for 3 pages:\n%s", n, r.stderr)
	}
}
