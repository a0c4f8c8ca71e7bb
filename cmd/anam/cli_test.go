package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/climeta"
)

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"Share Links": "share-links", "LLMs": "llms", "getSessionTranscript": "get-session-transcript",
		"listLlms": "list-llms", "apiKeyId": "api-key-id", "HTTPServer": "http-server", "perPage": "per-page", "": "",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVerbs checks the verb rule on every group of the spec: list and
// create are the GET and POST of the group's main collection, get, update
// and delete those of its item path, and no two commands of a group answer
// to the same word.
func TestVerbs(t *testing.T) {
	for _, g := range genTree().groups {
		seen := map[string]bool{}
		for _, c := range g.cmds {
			for _, w := range []string{c.name, c.verb} {
				if w != "" && seen[w] {
					t.Errorf("%s: two commands answer to %q", g.name, w)
				}
				seen[w] = true
			}
			want := map[string]string{"list": "GET", "create": "POST", "get": "GET", "delete": "DELETE"}[c.verb]
			if c.verb != "" && c.verb != "update" && c.op.Method != want {
				t.Errorf("%s %s is %s %s", g.name, c.verb, c.op.Method, c.op.Path)
			}
			if (c.verb == "list" || c.verb == "create") && strings.Contains(c.op.Path, "{") {
				t.Errorf("%s %s is on an item path %s", g.name, c.verb, c.op.Path)
			}
			if (c.verb == "get" || c.verb == "update" || c.verb == "delete") && !strings.HasSuffix(c.op.Path, "}") {
				t.Errorf("%s %s is not on an item path: %s", g.name, c.verb, c.op.Path)
			}
		}
	}
	// The rule on a fixed shape: a tag whose main resource is not its
	// first path, and a tag named like a command of anam itself.
	ops := []*api.Operation{
		{ID: "createThingToken", Method: "POST", Path: "/v1/auth/thing-token", Tag: "Things"},
		{ID: "listThings", Method: "GET", Path: "/v1/things", Tag: "Things"},
		{ID: "getThing", Method: "GET", Path: "/v1/things/{id}", Tag: "Things"},
		{ID: "stopThing", Method: "POST", Path: "/v1/things/{id}/stop", Tag: "Things"},
		{ID: "whoAmI", Method: "GET", Path: "/v1/me", Tag: "Auth"},
	}
	tr := buildTree(ops, &climeta.Catalog{})
	g := tr.lookup("things")
	if c := g.lookup("list"); c == nil || c.op.ID != "listThings" {
		t.Errorf("things list = %v", c)
	}
	if c := g.lookup("create"); c != nil {
		t.Errorf("things create = %s, but /v1/auth/thing-token is not the things collection", c.name)
	}
	if c := g.lookup("stop-thing"); c == nil || !c.destructive() {
		t.Errorf("stop-thing is not destructive")
	}
	if c := g.lookup("get"); c == nil || c.destructive() {
		t.Errorf("get is destructive")
	}
	if tr.lookup("auth") != nil || tr.lookup("auth-api") == nil {
		t.Errorf("the tag Auth is not the group auth-api")
	}
}

func TestHelp(t *testing.T) {
	tr := genTree()
	r := cli(t, nil, "", "--help")
	mustExit(t, r, exitOK)
	for _, g := range tr.groups {
		if !strings.Contains(r.stdout, "  "+g.name+" ") {
			t.Errorf("root help does not list %s", g.name)
		}
		gr := cli(t, nil, "", g.name, "--help")
		mustExit(t, gr, exitOK)
		if hr := cli(t, nil, "", "help", g.name); hr.stdout != gr.stdout {
			t.Errorf("anam help %s differs from anam %s --help", g.name, g.name)
		}
		for _, c := range g.cmds {
			if !strings.Contains(gr.stdout, c.name) {
				t.Errorf("%s help does not list %s", g.name, c.name)
			}
			cr := cli(t, nil, "", g.name, c.name, "-h")
			mustExit(t, cr, exitOK)
			if !strings.Contains(cr.stdout, sanitize(c.op.Summary)) || !strings.Contains(cr.stdout, c.op.Path) {
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
			checkBodyHelp(t, c, cr.stdout)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}} {
		if r2 := cli(t, nil, "", args...); r2.stdout != r.stdout || r2.code != 0 {
			t.Errorf("anam %v differs from anam --help", args)
		}
	}
}

// checkBodyHelp checks that every body field is listed under the flag it
// goes in: a file of the form as --form NAME=@path, never "in --data"; a
// JSON field with no flag in the --data section.
func checkBodyHelp(t *testing.T, c *command, help string) {
	t.Helper()
	dataSection, formSection := help, ""
	if i := strings.Index(help, "Multipart form"); i >= 0 {
		dataSection, formSection = help[:i], help[i:]
	}
	for _, f := range c.meta.Form {
		if f.Type == "file" && !strings.Contains(formSection, "--form "+f.Name+"=@path") {
			t.Errorf("%s: the file field %s is not listed as --form %s=@path:\n%s", c.path(), f.Name, f.Name, help)
		}
	}
	if c.op.Body&api.BodyJSON == 0 && strings.Contains(help, "--data") {
		t.Errorf("%s takes no JSON body, and its help mentions --data:\n%s", c.path(), help)
	}
	if c.op.Body&api.BodyJSON != 0 {
		for _, f := range c.meta.JSON {
			if !f.Scalar() && !strings.Contains(dataSection, f.Name) {
				t.Errorf("%s: the JSON field %s is not listed with --data:\n%s", c.path(), f.Name, help)
			}
		}
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
	env := map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": srv.URL, envConfigDir: t.TempDir()}
	list := pick(t, "paginated list", pagedList)
	get := pick(t, "get by UUID", uuidGet)
	create := pick(t, "JSON create", jsonCreate)
	form := pick(t, "multipart-only upload", formOnly)
	formArgs := make([]string, len(form.op.PathParams))
	for i := range formArgs {
		formArgs[i] = someID
	}
	max := int(*queryParam(list, "perPage").Maximum)
	field := "--" + stringField(create, false).name
	for _, tc := range []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"no command", nil, []string{"no command given", "Usage:  anam <command>"}},
		{"unknown group", []string{"zzzzzz", "list"}, []string{`unknown command "zzzzzz"`}},
		{"mistyped group", []string{list.group.name[:len(list.group.name)-1] + "x", "list"},
			[]string{`unknown command`, "Did you mean this?", list.group.name}},
		{"mistyped command", []string{list.group.name, "lits"}, []string{`unknown command "lits"`, "Did you mean this?\n    list",
			"Run 'anam " + list.group.name + " --help'"}},
		{"group alone", []string{list.group.name}, []string{"no command given"}},
		{"missing positional", words(get), []string{"takes one argument, " + argName(get.op.PathParams[0].Name), "Usage:  anam " + get.group.name + " " + get.name}},
		{"extra positional", words(list, "x"), []string{"takes no arguments"}},
		{"unknown flag", words(list, "--bogus"), []string{"unknown flag: --bogus", "Run 'anam " + list.path() + " --help'"}},
		{"mistyped flag", words(list, "--per-pag", "3"), []string{"unknown flag: --per-pag", "Did you mean this?\n    --per-page"}},
		{"single dash", words(list, "-per-page", "3"), []string{"unknown shorthand flag"}},
		{"not an integer", words(list, "--per-page", "ten"), []string{`"ten" is not an integer`}},
		{"over the maximum", words(list, "--per-page", strconv.Itoa(max+1)), []string{"--per-page " + strconv.Itoa(max+1) + " is invalid", "no request was sent"}},
		{"bad uuid", words(get, "not-a-uuid"), []string{"argument " + argName(get.op.PathParams[0].Name)}},
		{"all and page", words(list, "--all", "--page", "2"), []string{"--all and --page"}},
		{"bad limit", words(list, "--limit", "-1"), []string{"--limit must be at least 1"}},
		{"bad concurrency", words(list, "--all", "--concurrency", "0"), []string{"--concurrency must be from 1 to 64"}},
		{"json and jq", words(list, "--json", "--jq", "."), []string{"do not go together"}},
		{"bad jq", words(list, "--jq", ".[[["), []string{"--jq:"}},
		{"bad template", words(list, "--template", "{{.x"), []string{"template"}},
		{"bad JSON", words(create, "--data", "{nope"), []string{"--data is not valid JSON"}},
		{"missing data file", words(create, "--data", "@/nonexistent/x.json"), []string{"--data @/nonexistent/x.json"}},
		{"field flag on a non-object", words(create, "--data", "[1]", field, "x"), []string{"must be a JSON object"}},
		{"data on a form-only operation", append(words(form, formArgs...), "--data", "{}"), []string{"takes a multipart form", "--form"}},
		{"form on a JSON-only operation", words(create, "--form", "a=b"), []string{"unknown flag: --form"}},
		{"missing form file", append(words(form, formArgs...), "--form", "file=@/nonexistent/f.pdf"), []string{"--form file"}},
		{"bad profile name", []string{"--profile", "a/b", "auth", "status"}, []string{"profile"}},
		{"completion of no shell", []string{"completion", "tcsh"}, []string{"tcsh"}},
		{"help of nothing", []string{"help", "zzzzzz"}, []string{`unknown help topic "zzzzzz"`}},
		{"version with an argument", []string{"version", "x"}, []string{"unknown command"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, env, "", tc.args...)
			mustExit(t, r, exitUsage)
			for _, want := range tc.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q does not say %q", r.stderr, want)
				}
			}
			if r.stdout != "" {
				t.Errorf("a usage error printed on stdout: %q", r.stdout)
			}
		})
	}
	if got := n.Load(); got != 0 {
		t.Errorf("%d requests were sent for refused command lines", got)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"--json", "version"}} {
		r := cli(t, nil, "", args...)
		mustExit(t, r, exitOK)
		if r.stdout != "anam "+versionText()+"\n" {
			t.Errorf("%v printed %q", args, r.stdout)
		}
	}
}

// TestCompletion checks the completion scripts of the four shells, and
// that the completions they ask anam for (cobra's __complete) give the
// groups, commands, flags and enum values of the spec.
func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		r := cli(t, nil, "", "completion", sh)
		mustExit(t, r, exitOK)
		if !strings.Contains(r.stdout, "anam") || len(r.stdout) < 500 {
			t.Errorf("completion %s printed %d bytes", sh, len(r.stdout))
		}
	}
	list := pick(t, "paginated list", pagedList)
	complete := func(args ...string) []string {
		r := cli(t, nil, "", append([]string{"__complete"}, args...)...)
		mustExit(t, r, exitOK)
		var out []string
		for _, l := range strings.Split(r.stdout, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				name, _, _ := strings.Cut(l, "\t")
				out = append(out, name)
			}
		}
		return out
	}
	if got := complete(list.group.name[:2]); !contains(got, list.group.name) {
		t.Errorf("completing %q gave %v, not %s", list.group.name[:2], got, list.group.name)
	}
	if got := complete(list.group.name, ""); !contains(got, list.name) {
		t.Errorf("completing %s gave %v", list.group.name, got)
	}
	if got := complete(list.group.name, list.name, "--per"); !contains(got, "--per-page") {
		t.Errorf("completing --per gave %v", got)
	}
	enum := pick(t, "enum query parameter", enumQuery)
	for _, p := range enum.op.Query {
		if len(p.Enum) > 1 && p.Type == "string" {
			got := complete(enum.group.name, enum.name, "--"+kebab(p.Name), "")
			for _, e := range p.Enum {
				if !contains(got, e) {
					t.Errorf("completing --%s gave %v, not %s", kebab(p.Name), got, e)
				}
			}
			break
		}
	}
	if got := complete("help", list.group.name, ""); !contains(got, list.name) {
		t.Errorf("completing help %s gave %v", list.group.name, got)
	}
}

func TestConfiguration(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	cfg := t.TempDir()
	r := cli(t, map[string]string{envConfigDir: cfg}, "", words(list)...)
	mustExit(t, r, exitUsage)
	for _, want := range []string{"ANAM_API_KEY", "anam auth login", "--fake"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("no-key message %q does not mention %s", r.stderr, want)
		}
	}
	r = cli(t, map[string]string{"ANAM_API_KEY": "k", envConfigDir: cfg}, "", append([]string{"--base-url", "ftp://x"}, words(list)...)...)
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--base-url") || strings.Contains(r.stderr, "WithBaseURL") {
		t.Errorf("a bad --base-url is not reported in the CLI's words: %q", r.stderr)
	}
	r = cli(t, map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": "http://api.example.com", envConfigDir: cfg}, "", words(list)...)
	mustExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "ANAM_BASE_URL") || strings.Contains(r.stderr, "WithBaseURL") {
		t.Errorf("a bad ANAM_BASE_URL is not reported in the CLI's words: %q", r.stderr)
	}
	r = cli(t, map[string]string{"ANAM_FAKE": "maybe", envConfigDir: cfg}, "", words(list)...)
	mustExit(t, r, exitUsage)
	// The fake, by flag and by variable.
	for _, args := range [][]string{append([]string{"--fake", "--json"}, words(list)...), append([]string{"--json"}, words(list)...)} {
		env := map[string]string{envConfigDir: cfg}
		if args[0] != "--fake" {
			env["ANAM_FAKE"] = "1"
		}
		r = cli(t, env, "", args...)
		mustExit(t, r, exitOK)
		if !strings.Contains(r.stderr, "fake") || !strings.HasPrefix(r.stdout, "{") {
			t.Errorf("%v: stdout %q stderr %q", args, r.stdout, r.stderr)
		}
	}
}

func TestInterruptExits130(t *testing.T) {
	get := pick(t, "get by UUID", uuidGet)
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
	r := cliCtx(ctx, t, map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": srv.URL}, "", words(get, someID)...)
	mustExit(t, r, exitInterrupted)
}

func TestFakeServe(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var stderr strings.Builder
		done <- run(ctx, []string{"fake", "serve", "--addr", "127.0.0.1:0", "--items", "5"}, testEnv(nil, strings.NewReader(""), pw, &stderr))
		pw.Close()
	}()
	env := map[string]string{envConfigDir: t.TempDir()}
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
	r := cli(t, env, "", append([]string{"--json"}, words(list, "--all")...)...)
	mustExit(t, r, exitOK)
	if n := strings.Count(r.stdout, "\n"); n < 5 {
		t.Errorf("%d items through fake serve, want at least the 5 generated", n)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("fake serve exited %d after the interrupt", code)
	}
	// The fake refuses a bad address before serving.
	r = cli(t, nil, "", "fake", "serve", "--addr", "256.0.0.1:bad")
	mustExit(t, r, exitUsage)
}

// TestCatalogCoversEveryOperation checks that the generated catalog is of
// the same document as the operations (go generate ran both).
func TestCatalogCoversEveryOperation(t *testing.T) {
	for _, op := range api.Operations() {
		if _, ok := climeta.Generated.Op(op.ID); !ok {
			t.Errorf("%s is not in internal/climeta's catalog: run go generate ./...", op.ID)
		}
	}
}

// TestStartUpDependencies checks what start-up costs depend on: anam's own
// code never loads the document (no kin-openapi, no specload: the catalog
// has what it needs), and the lean build (-tags anam_nofake) links neither
// the fake nor kin-openapi and its JSON Schema compiler, whose package
// initialisation runs on every command when they are linked.
func TestStartUpDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	list := func(args ...string) []string {
		out, err := exec.Command(goTool, append([]string{"list"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	heavy := []string{"github.com/getkin/kin-openapi/openapi3", "github.com/santhosh-tekuri/jsonschema/v6",
		"github.com/anam-ai/anam-go/internal/specload", "github.com/anam-ai/anam-go/api/anamtest"}
	own := list("-f", "{{join .Imports \" \"}}", ".")
	for _, h := range heavy[:3] {
		if contains(own, h) {
			t.Errorf("anam imports %s", h)
		}
	}
	lean := list("-tags", "anam_nofake", "-deps", ".")
	for _, h := range heavy {
		if contains(lean, h) {
			t.Errorf("the anam_nofake build links %s", h)
		}
	}
}
