package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
)

func TestDataFromFileStdinAndFlags(t *testing.T) {
	create := pick(t, "JSON create", jsonCreate)
	field := stringField(create, false)
	rec := newRecorder(t, http.StatusCreated, `{"id":"p1",  "name":"B", "createdAt":"2026-01-02T03:04:05.123456789+02:00", "extra":{"kept":true}}`)
	path := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(path, []byte(`{"`+field.field+`":"A","other":"from the file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, rec.env(), "", append([]string{"--json"}, words(create, "--data", "@"+path, "--"+field.name, "B")...)...)
	mustExit(t, r, exitOK)
	got := rec.last(t)
	var body map[string]any
	if err := json.Unmarshal(got.body, &body); err != nil || body[field.field] != "B" || body["other"] != "from the file" {
		t.Errorf("sent %s (%v), want the file with %s replaced by --%s", got.body, err, field.field, field.name)
	}
	if got.method != create.op.Method || got.path != create.op.Path || got.contentType != "application/json" {
		t.Errorf("sent %s %s %s", got.method, got.path, got.contentType)
	}
	// --json prints the body exactly as sent: fields, spacing, timestamps.
	if want := `{"id":"p1",  "name":"B", "createdAt":"2026-01-02T03:04:05.123456789+02:00", "extra":{"kept":true}}` + "\n"; r.stdout != want {
		t.Errorf("--json printed %q, want %q", r.stdout, want)
	}

	stdin := `{"` + field.field + `":"from stdin","x":true}`
	r = cli(t, rec.env(), stdin, words(create, "--data", "-")...)
	mustExit(t, r, exitOK)
	if got := rec.last(t); string(got.body) != stdin {
		t.Errorf("--data - sent %s, want standard input as is", got.body)
	}
	// Typed field flags alone make the object.
	r = cli(t, rec.env(), "", words(create, "--"+field.name, "Ada")...)
	mustExit(t, r, exitOK)
	if got := rec.last(t); string(got.body) != `{"`+field.field+`":"Ada"}` {
		t.Errorf("field flags sent %s", got.body)
	}
	// Query flags: a list joined with commas or repeated, as the spec's
	// style says; a boolean standing alone.
	list := pick(t, "list with a list and a boolean query parameter", func(c *command) bool {
		return slices.ContainsFunc(c.op.Query, func(p api.Param) bool { return p.Type == "array" }) &&
			slices.ContainsFunc(c.op.Query, func(p api.Param) bool { return p.Type == "boolean" })
	})
	var arr, boolean api.Param
	for _, p := range list.op.Query {
		switch p.Type {
		case "array":
			arr = p
		case "boolean":
			boolean = p
		}
	}
	// (A list's answer is checked as a page, so this server answers one.)
	lrec := newRecorder(t, http.StatusOK, pageOf(nil, 1, 1, 0))
	r = cli(t, lrec.env(), "", words(list, "--"+kebab(arr.Name), "a,b", "--"+kebab(arr.Name), "c", "--"+kebab(boolean.Name))...)
	mustExit(t, r, exitOK)
	q, _ := url.ParseQuery(lrec.last(t).query)
	if got := strings.Join(q[arr.Name], ","); got != "a,b,c" || q.Get(boolean.Name) != "true" {
		t.Errorf("query %q", lrec.last(t).query)
	}
	if !arr.Explode && len(q[arr.Name]) != 1 || arr.Explode && len(q[arr.Name]) != 3 {
		t.Errorf("--%s was not sent in the spec's style (explode %v): %q", kebab(arr.Name), arr.Explode, lrec.last(t).query)
	}
}

func TestNoContentPrintsNothing(t *testing.T) {
	del := pick(t, "delete by ID", deleteByID)
	rec := newRecorder(t, http.StatusNoContent, "")
	for _, args := range [][]string{words(del, someID, "--yes"), append([]string{"--json"}, words(del, someID, "-y")...),
		append([]string{"--jq", "."}, words(del, someID, "--yes")...)} {
		r := cli(t, rec.env(), "", args...)
		mustExit(t, r, exitOK)
		if r.stdout != "" {
			t.Errorf("%v printed %q for a 204", args, r.stdout)
		}
	}
}

func TestFormUpload(t *testing.T) {
	type part struct{ name, filename, ctype, content string }
	var parts []part
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			http.Error(w, "not multipart", 400)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		_, _ = w.Write([]byte(`{"id":"d1"}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.txt")
	content := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": srv.URL}
	form := pick(t, "multipart upload with a text field flag", func(c *command) bool {
		return formOnly(c) && slices.ContainsFunc(bodyFlags(c), func(f *specFlag) bool { return f.inForm })
	})
	var file string
	for _, f := range form.meta.Form {
		if f.Type == "file" {
			file = f.Name
			break
		}
	}
	text := bodyFlags(form)[0]
	value := "300"
	if text.kind == kindString {
		value = "three hundred"
	}
	args := make([]string, len(form.op.PathParams))
	for i := range args {
		args[i] = someID
	}
	r := cli(t, env, "", words(form, append(args, "--form", file+"=@"+path, "--"+text.name, value)...)...)
	mustExit(t, r, exitOK)
	if len(parts) != 2 {
		t.Fatalf("parts %d, want 2", len(parts))
	}
	if p := parts[0]; p.name != file || p.filename != "notes.txt" || !strings.HasPrefix(p.ctype, "text/plain") || p.content != content {
		t.Errorf("file part %q %q %q, %d bytes", p.name, p.filename, p.ctype, len(p.content))
	}
	if p := parts[1]; p.name != text.field || p.content != value {
		t.Errorf("field part %+v", p)
	}
}

// TestFormStreamReplays checks that the multipart stream can go back to
// its start and write the same form again, as a retry needs.
func TestFormStreamReplays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.bin")
	if err := os.WriteFile(path, bytes.Repeat([]byte{1, 2, 3}, 100000), 0o600); err != nil {
		t.Fatal(err)
	}
	body, err := formBody([]string{"name=x", "file=@" + path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer body.close()
	s := body.r.(io.ReadSeeker)
	first, err := io.ReadAll(io.LimitReader(s, 1000)) // a first attempt cut short
	if err != nil || len(first) != 1000 {
		t.Fatal(err, len(first))
	}
	if pos, _ := s.Seek(0, io.SeekCurrent); pos != 1000 {
		t.Errorf("position %d, want 1000", pos)
	}
	if _, err := s.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole[:1000], first) || len(whole) < 300000 {
		t.Errorf("the replay differs from the first attempt (%d bytes)", len(whole))
	}
	if _, err := s.Seek(5, io.SeekStart); err == nil {
		t.Error("seeking into the middle of the stream succeeded")
	}
}

func TestTerminalInjectionEscaped(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	get := pick(t, "get by UUID", uuidGet)
	create := pick(t, "JSON create", jsonCreate)
	evil := "Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\r\nrm -rf \u202egnp.exe\u009b"
	item := map[string]any{"id": someID, "name": evil}
	for _, col := range list.meta.Columns {
		if col != "id" {
			item[col] = evil
		}
	}
	page, _ := json.Marshal(map[string]any{"data": []any{item}, "meta": map[string]any{"total": 1, "currentPage": 1, "perPage": 10, "lastPage": 1, "prev": nil, "next": nil}})
	one, _ := json.Marshal(item)
	for _, tc := range []struct {
		body string
		args []string
	}{
		{string(page), words(list)},
		{string(page), words(list, "--all")},
		{string(one), words(get, someID)},
	} {
		rec := newRecorder(t, 200, tc.body)
		r := cli(t, rec.env(), "", tc.args...)
		mustExit(t, r, exitOK)
		if strings.ContainsAny(r.stdout, "\x1b\x07\r\u202e\u009b") {
			t.Errorf("%v printed a control character: %q", tc.args, r.stdout)
		}
		if !strings.Contains(r.stdout, `Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\x0d\x0arm -rf `) {
			t.Errorf("%v did not show the value escaped: %q", tc.args, r.stdout)
		}
	}
	rec := newRecorder(t, 200, string(one))
	if r := cli(t, rec.env(), "", words(get, someID)...); !strings.Contains(r.stdout, `rm -rf \u202egnp.exe\u009b`) {
		t.Errorf("bidi override or C1 not escaped: %q", r.stdout)
	}
	// The server's error message, too.
	rec = newRecorder(t, 400, `{"message":"bad \u001b]52;c;eA==\u0007 name"}`)
	r := cli(t, rec.env(), "", words(create, "--"+stringField(create, false).name, "x")...)
	mustExit(t, r, exitFailed)
	if strings.ContainsAny(r.stderr, "\x1b\x07") {
		t.Errorf("stderr has a control character: %q", r.stderr)
	}
}

// pageServer generates pages of perPage items on the fly for a list of
// total items, optionally slow, and counts page requests.
type pageServer struct {
	*httptest.Server
	pages atomic.Int64
}

func newPageServer(tb testing.TB, total int, latency time.Duration, gate func(page int)) *pageServer {
	ps := &pageServer{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.pages.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		perPage, _ := strconv.Atoi(r.URL.Query().Get("perPage"))
		if page < 1 {
			page = 1
		}
		if perPage < 1 {
			perPage = 10
		}
		if gate != nil {
			gate(page)
		}
		if latency > 0 {
			time.Sleep(latency)
		}
		last := (total + perPage - 1) / perPage
		var b bytes.Buffer
		b.WriteString(`{"data":[`)
		for i := (page - 1) * perPage; i < min(page*perPage, total); i++ {
			if i > (page-1)*perPage {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"00000000-0000-4000-8000-%012d","displayName":"Avatar %d","variantName":"v","imageUrl":"https://example.com/%d.png","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}`, i, i, i)
		}
		next := "null"
		if page < last {
			next = strconv.Itoa(page + 1)
		}
		fmt.Fprintf(&b, `],"meta":{"total":%d,"currentPage":%d,"perPage":%d,"lastPage":%d,"prev":null,"next":%s}}`, total, page, perPage, last, next)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b.Bytes())
	}))
	tb.Cleanup(ps.Close)
	return ps
}

func (ps *pageServer) env() map[string]string {
	return map[string]string{"ANAM_API_KEY": "k", "ANAM_BASE_URL": ps.URL}
}

func TestAllWithLimit(t *testing.T) {
	ps := newPageServer(t, 10000, 0, nil)
	list := pick(t, "paginated list", pagedList)
	r := cli(t, ps.env(), "", append([]string{"--json"}, words(list, "--limit", "250", "--concurrency", "3")...)...)
	mustExit(t, r, exitOK)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 250 {
		t.Fatalf("%d lines, want 250", len(lines))
	}
	for i, l := range lines {
		var it struct{ ID string }
		if err := json.Unmarshal([]byte(l), &it); err != nil || !strings.HasSuffix(it.ID, fmt.Sprintf("%012d", i)) {
			t.Fatalf("line %d = %s (%v): out of order or not JSON", i, l, err)
		}
	}
	// 3 pages of 100 hold 250 items, and --limit asks for no page past
	// them (api.WithCallMaxItems).
	if n := ps.pages.Load(); n != 3 {
		t.Errorf("%d pages requested for 250 items at --concurrency 3", n)
	}
	// The table form says how many.
	r = cli(t, ps.env(), "", words(list, "--all", "--limit", "5")...)
	mustExit(t, r, exitOK)
	// The rows on stdout, the count on stderr.
	if strings.Count(r.stdout, "\n") != 6 || !strings.HasPrefix(r.stdout, titleOf(list.meta.Columns[0])) || r.stderr != "5 items\n" {
		t.Errorf("table:\n%s\nstderr: %q", r.stdout, r.stderr)
	}
}

// TestAllStreams checks that --all prints the first pages before the last
// one is answered: the server holds the last page until the first items
// have been printed.
func TestAllStreams(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	release := make(chan struct{})
	ps := newPageServer(t, 300, 0, func(page int) {
		if page == 3 {
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
	})
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var stderr bytes.Buffer
		done <- run(t.Context(), append([]string{"--json"}, words(list, "--all", "--concurrency", "1")...), testEnv(ps.env(), strings.NewReader(""), pw, &stderr))
		pw.Close()
	}()
	got := 0
	buf := make([]byte, 1<<16)
	deadline := time.Now().Add(5 * time.Second)
	for got < 100 && time.Now().Before(deadline) {
		n, err := pr.Read(buf)
		got += bytes.Count(buf[:n], []byte("\n"))
		if err != nil {
			break
		}
	}
	if got < 100 {
		t.Fatalf("only %d items printed before the last page was answered", got)
	}
	close(release)
	rest, _ := io.ReadAll(pr)
	got += bytes.Count(rest, []byte("\n"))
	if code := <-done; code != 0 || got != 300 {
		t.Errorf("exit %d, %d items, want 0 and 300", code, got)
	}
}
