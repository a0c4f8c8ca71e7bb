package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/climeta"
)

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the program with the given environment (nil: none at all) and
// standard input; no stream is a terminal.
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

// testEnv is an environment with no terminal. Profiles are kept in a
// directory of the test's (ANAM_CONFIG_DIR) unless env names one, so that
// no test reads the user's.
func testEnv(vars map[string]string, stdin io.Reader, stdout, stderr io.Writer) env {
	return env{getenv: func(k string) string { return vars[k] }, stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
}

// fakeEnv starts the built-in fake (through fakeserver.go, as the CLI
// does) and returns the environment that points the CLI at it.
func fakeEnv(t *testing.T, items int) map[string]string {
	t.Helper()
	f, err := startFake("", items)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.close)
	return map[string]string{"ANAM_API_KEY": f.key, "ANAM_BASE_URL": f.url, envConfigDir: t.TempDir()}
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
		w.Header().Set("X-Request-Id", "req-recorded")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) env() map[string]string {
	return map[string]string{"ANAM_API_KEY": "test-key-0123456789", "ANAM_BASE_URL": r.URL, envConfigDir: "/nonexistent/anam-test-config"}
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

// The tests find the commands they need by rule from the generated
// operations, never by name, so that they hold for any version of the
// spec; a test whose kind of operation the spec does not have is skipped,
// saying so.

func genTree() *tree { return buildTree(api.Operations(), &climeta.Generated) }

// pick is the first command, in the spec's order, that pred accepts.
func pick(t *testing.T, what string, pred func(*command) bool) *command {
	t.Helper()
	for _, g := range genTree().groups {
		for _, c := range g.cmds {
			if pred(c) {
				return c
			}
		}
	}
	t.Skipf("the spec has no %s", what)
	return nil
}

// words is the command line of c with more arguments.
func words(c *command, more ...string) []string {
	return append([]string{c.group.name, c.name}, more...)
}

func queryParam(c *command, name string) *api.Param {
	for i := range c.op.Query {
		if c.op.Query[i].Name == name {
			return &c.op.Query[i]
		}
	}
	return nil
}

// pagedList is a paginated GET with no path parameter and a bounded
// perPage: `avatars list` in today's spec.
func pagedList(c *command) bool {
	p := queryParam(c, "perPage")
	return c.op.Method == "GET" && c.op.Paginated && len(c.op.PathParams) == 0 && p != nil && p.Maximum != nil && queryParam(c, "page") != nil
}

// uuidGet is a GET of one object by a UUID path parameter.
func uuidGet(c *command) bool {
	return c.op.Method == "GET" && len(c.op.PathParams) == 1 && c.op.PathParams[0].Format == "uuid" && c.op.Result == api.ResultObject && !c.op.Paginated
}

// stringField is the first string body flag of c that goes in the given
// body, "" for none.
func stringField(c *command, form bool) *specFlag {
	for _, f := range bodyFlags(c) {
		if f.kind == kindString && len(f.enum) == 0 && (form && f.inForm || !form && f.inJSON) {
			return f
		}
	}
	return nil
}

// jsonCreate is a POST of a JSON body with a string field flag and no
// path parameter.
func jsonCreate(c *command) bool {
	return c.op.Method == "POST" && c.op.Body&api.BodyJSON != 0 && len(c.op.PathParams) == 0 && stringField(c, false) != nil && !c.destructive()
}

// formOnly is an operation that takes only a multipart form with a file.
func formOnly(c *command) bool {
	return c.op.Body == api.BodyMultipart && slices.ContainsFunc(c.meta.Form, func(f climeta.Field) bool { return f.Type == "file" })
}

// deleteByID is a destructive operation with one UUID path parameter.
func deleteByID(c *command) bool {
	return c.destructive() && len(c.op.PathParams) == 1 && c.op.PathParams[0].Format == "uuid" && c.op.Body == api.BodyNone
}

// enumQuery is a command with a query parameter of closed values.
func enumQuery(c *command) bool {
	return slices.ContainsFunc(c.op.Query, func(p api.Param) bool { return len(p.Enum) > 1 && p.Type == "string" })
}

const someID = "071b0286-4cce-4808-bee2-e642f1062de3"

// pageOf is a list page of items with its meta.
func pageOf(items []string, page, last, total int) string {
	next := "null"
	if page < last {
		next = strconv.Itoa(page + 1)
	}
	return fmt.Sprintf(`{"data":[%s],"meta":{"total":%d,"currentPage":%d,"perPage":10,"lastPage":%d,"prev":null,"next":%s}}`,
		strings.Join(items, ","), total, page, last, next)
}
