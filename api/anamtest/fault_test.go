package anamtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api/anamtest"
)

// authReq returns an authenticated GET of path on srv.
func authReq(t testing.TB, ctx context.Context, srv *anamtest.Server, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	return req
}

// freshClient opens a new connection per request, so that net/http never
// retries a request on a reused connection (see Fault).
func freshClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaultStatusSequence(t *testing.T) {
	srv := newServer(t)
	srv.InjectFaults(opList,
		anamtest.Status(503).WithRetryAfter("1"),
		anamtest.Status(429).WithBody("text/plain; charset=utf-8", "slow down"),
		anamtest.Status(500).WithBody("", ""),
	)
	if n := srv.PendingFaults(opList); n != 3 {
		t.Fatalf("PendingFaults = %d, want 3", n)
	}

	r := get(t, srv, widgets)
	if e, m := errorJSON(t, r); r.status != 503 || e != "Service Unavailable" || m != "anamtest: injected fault" || r.header.Get("Retry-After") != "1" {
		t.Errorf("fault 1: %d Retry-After=%q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	r = get(t, srv, widgets)
	if r.status != 429 || string(r.body) != "slow down" || r.header.Get("Content-Type") != "text/plain; charset=utf-8" || r.header.Get("Retry-After") != "" {
		t.Errorf("fault 2: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = get(t, srv, widgets)
	if _, ok := r.header["Content-Type"]; r.status != 500 || len(r.body) != 0 || ok {
		t.Errorf("fault 3: %d %v %q, want 500 with no body and no Content-Type", r.status, r.header, r.body)
	}
	if p := listPage(t, srv, ""); len(p.Data) != 1 {
		t.Errorf("after the script: %d widgets, want the normal listing", len(p.Data))
	}
	if srv.PendingFaults(opList) != 0 || srv.Requests(opList) != 4 {
		t.Errorf("PendingFaults %d, Requests %d; want 0, 4", srv.PendingFaults(opList), srv.Requests(opList))
	}
}

func TestFaultScriptsPerOperationAndAll(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(anamtest.AllOperations, anamtest.Status(500), anamtest.Status(501)))
	srv.InjectFaults(opGet, anamtest.Status(502))

	var got []int
	for _, path := range []string{widgets + "/" + exampleID, widgets + "/" + exampleID, widgets, widgets, widgets + "/" + exampleID} {
		got = append(got, get(t, srv, path).status)
	}
	// getWidget: own 502 first, then the shared 500; listWidgets: shared 501, then normal.
	want := []int{502, 500, 501, 200, 200}
	if !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFaultsApplyToValidRequestsOnly: a request is authenticated and
// validated before it consumes a fault, so that a test whose request is
// wrong cannot pass because a fault answered it.
func TestFaultsApplyToValidRequestsOnly(t *testing.T) {
	rec := &recorder{TB: t}
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()), anamtest.WithT(rec), anamtest.WithFaults(opList, anamtest.Status(503)))
	defer srv.Close()
	if r := request(t, srv.Client(), http.MethodGet, srv.URL+widgets); r.status != 401 || srv.PendingFaults(opList) != 1 {
		t.Errorf("unauthenticated request with a fault: %d, %d faults pending; want 401 and the fault kept", r.status, srv.PendingFaults(opList))
	}
	if errs := rec.errors(); len(errs) != 0 {
		t.Errorf("a 401 is the client's credentials, not a spec violation, yet reported: %q", errs)
	}
	r := get(t, srv, widgets+"?perPage=500")
	errs := rec.errors()
	if r.status != 400 || srv.PendingFaults(opList) != 1 || len(errs) != 1 || !strings.Contains(errs[0], `listWidgets request does not match the spec: parameter "perPage" in query`) {
		t.Errorf("invalid request with a fault: %d, %d pending, reports %q; want 400, the fault kept, one report", r.status, srv.PendingFaults(opList), errs)
	}
	if r := get(t, srv, widgets); r.status != 503 || srv.PendingFaults(opList) != 0 {
		t.Errorf("valid request: %d, want the fault's 503", r.status)
	}
	if srv.Requests(opList) != 3 {
		t.Errorf("Requests = %d, want 3: every request counts", srv.Requests(opList))
	}
}

func TestFaultLatency(t *testing.T) {
	srv := newServer(t)
	srv.InjectFaults(opGet, anamtest.Latency(80*time.Millisecond), anamtest.Latency(time.Hour))

	start := time.Now()
	r := get(t, srv, widgets+"/"+exampleID)
	if d := time.Since(start); r.status != 200 || d < 80*time.Millisecond {
		t.Errorf("Latency(80ms): status %d after %v", r.status, d)
	}

	// A client that gives up ends the delay; the server is not stuck.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := srv.Client().Do(authReq(t, ctx, srv, widgets+"/"+exampleID))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Latency(1h) with a 30ms deadline: err = %v, want deadline exceeded", err)
	}
	if r := get(t, srv, widgets+"/"+exampleID); r.status != 200 {
		t.Errorf("after the timeout: %d", r.status)
	}
}

func TestFaultAfter(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opList, anamtest.Status(504).After(60*time.Millisecond)))
	start := time.Now()
	r := get(t, srv, widgets)
	if d := time.Since(start); r.status != 504 || d < 60*time.Millisecond {
		t.Errorf("Status(504).After(60ms): %d after %v", r.status, d)
	}
}

func TestFaultMalformedJSON(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opList, anamtest.MalformedJSON()))
	r := get(t, srv, widgets)
	var v any
	err := json.Unmarshal(r.body, &v)
	var syntax *json.SyntaxError
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || !errors.As(err, &syntax) {
		t.Errorf("MalformedJSON: %d %q, decode error %v", r.status, r.header.Get("Content-Type"), err)
	}
}

func TestFaultTruncatedBody(t *testing.T) {
	srv := newServer(t, anamtest.WithItems(9))
	normal := get(t, srv, widgets)
	srv.InjectFaults(opList, anamtest.TruncatedBody())

	resp, err := srv.Client().Do(authReq(t, context.Background(), srv, widgets))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(normal.body)) {
		t.Errorf("TruncatedBody: status %d, Content-Length %d; want 200, %d", resp.StatusCode, resp.ContentLength, len(normal.body))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(body) != len(normal.body)/2 || !bytes.HasPrefix(normal.body, body) {
		t.Errorf("TruncatedBody: read %d of %d bytes, err %v; want half, then unexpected EOF", len(body), len(normal.body), err)
	}
}

func TestFaultDropConnection(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opGet, anamtest.DropConnection()))
	_, err := freshClient().Do(authReq(t, context.Background(), srv, widgets+"/"+exampleID))
	if err == nil || !errors.Is(err, io.EOF) {
		t.Errorf("DropConnection: err = %v, want EOF", err)
	}
	if n := srv.Requests(opGet); n != 1 {
		t.Errorf("Requests = %d, want 1", n)
	}
}

// TestFaultDropConnectionRetried documents the net/http behaviour the Fault
// doc warns about: on a reused connection, a GET that gets no byte back is
// retried once by the Transport, and the retry consumes the next fault.
func TestFaultDropConnectionRetried(t *testing.T) {
	srv := newServer(t)
	client := srv.Client()
	get(t, srv, widgets) // opens the connection that is reused below
	srv.InjectFaults(opList, anamtest.DropConnection())
	resp, err := client.Do(authReq(t, context.Background(), srv, widgets))
	if err != nil {
		t.Fatalf("dropped reused connection: %v, want a transparent retry", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || srv.Requests(opList) != 3 || srv.Connections() != 2 {
		t.Errorf("status %d, %d requests, %d connections; want 200, 3 (1 + drop + retry), 2",
			resp.StatusCode, srv.Requests(opList), srv.Connections())
	}
}

// TestFaultSlowBody: the status, headers and first half of the body come
// before the stall, the rest after it. No clock is read: the first half is
// read while the server stalls for an hour, which only a cancellation
// ends, and the whole body arrives after a short stall.
func TestFaultSlowBody(t *testing.T) {
	srv := newServer(t, anamtest.WithItems(5))
	normal := get(t, srv, widgets)
	srv.InjectFaults(opList, anamtest.SlowBody(time.Hour), anamtest.SlowBody(20*time.Millisecond))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := freshClient().Do(authReq(t, ctx, srv, widgets))
	if err != nil {
		t.Fatalf("headers should arrive before the stall: %v", err)
	}
	half := make([]byte, len(normal.body)/2)
	if _, err := io.ReadFull(resp.Body, half); err != nil || !bytes.Equal(half, normal.body[:len(half)]) {
		t.Errorf("first half before the stall: %q, %v", half, err)
	}
	cancel()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.Canceled) {
		t.Errorf("reading on, after the client gave up: %v, want context.Canceled", err)
	}
	resp.Body.Close()

	if r := get(t, srv, widgets); r.status != 200 || !bytes.Equal(r.body, normal.body) {
		t.Errorf("SlowBody(20ms): %d %s; want the normal body", r.status, r.body)
	}
}

// TestFaultSlowBodyReadTimeout: a client whose deadline passes while the
// body stalls gets its deadline error, not a hang. The deadline starts
// once the headers are in (a context canceled with DeadlineExceeded as its
// cause, which net/http reports), so that a loaded machine, slow to
// deliver them, cannot make the test fail. testing/synctest does not fit:
// the fake is a real loopback server, and a goroutine blocked on the
// network is not durably blocked, so a bubble's clock would not move.
func TestFaultSlowBodyReadTimeout(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opList, anamtest.SlowBody(time.Hour)))
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	resp, err := srv.Client().Do(authReq(t, ctx, srv, widgets))
	if err != nil {
		t.Fatalf("headers should arrive before the stall: %v", err)
	}
	defer resp.Body.Close()
	timer := time.AfterFunc(10*time.Millisecond, func() { cancel(context.DeadlineExceeded) })
	defer timer.Stop()
	_, err = io.ReadAll(resp.Body)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("reading a stalled body past the deadline: %v, want deadline exceeded", err)
	}
}

func TestCloseDuringStalls(t *testing.T) {
	baseline := runtime.NumGoroutine()
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()), anamtest.WithItems(3))

	// A slow body whose headers have arrived, a huge body nobody reads, a
	// delayed fault and a request in a persistent latency. Faults are
	// injected one at a time, so that each request gets the intended one.
	srv.InjectFaults(opList, anamtest.SlowBody(time.Hour))
	slow, err := freshClient().Do(authReq(t, context.Background(), srv, widgets))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Body.Close()
	srv.InjectFaults(opList, anamtest.HugeBody(1<<40))
	huge, err := freshClient().Do(authReq(t, context.Background(), srv, widgets))
	if err != nil {
		t.Fatal(err)
	}
	defer huge.Body.Close()
	srv.InjectFaults(opList, anamtest.Status(503).After(time.Hour))
	srv.SetLatency(opGet, time.Hour)
	errs := make(chan error, 2)
	for _, path := range []string{widgets, widgets + "/" + exampleID} {
		go func() {
			resp, err := freshClient().Do(authReq(t, context.Background(), srv, path))
			if err == nil {
				resp.Body.Close()
				err = errors.New(resp.Status)
			}
			errs <- err
		}()
	}
	for srv.Requests(anamtest.AllOperations) < 4 {
		time.Sleep(time.Millisecond)
	}

	start := time.Now()
	srv.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with stalled faults", d)
	}
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("a request delayed across Close got a response")
		}
	}
	if _, err := io.ReadAll(slow.Body); err == nil {
		t.Error("reading the stalled body after Close: no error")
	}
	if n, err := io.Copy(io.Discard, huge.Body); err == nil || n >= 1<<40 {
		t.Errorf("reading the huge body after Close: %d bytes, err %v", n, err)
	}
	slow.Body.Close()
	huge.Body.Close()

	// Nothing is left running: the server's goroutines ended with Close,
	// and the clients' end as their connections are closed.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before NewServer:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}

func TestFaultHugeBody(t *testing.T) {
	const n = 5<<20 + 3
	srv := newServer(t, anamtest.WithFaults(opList, anamtest.HugeBody(n), anamtest.HugeBody(9)))
	r := get(t, srv, widgets)
	if r.status != 200 || r.header.Get("Content-Length") != strconv.Itoa(n) || len(r.body) != n || !json.Valid(r.body) ||
		!bytes.HasPrefix(r.body, []byte(`{"padding":"aaa`)) {
		t.Errorf("HugeBody(%d): %d, Content-Length %s, %d bytes, valid JSON %v", n, r.status, r.header.Get("Content-Length"), len(r.body), json.Valid(r.body))
	}
	if r := get(t, srv, widgets); string(r.body) != "         " {
		t.Errorf("HugeBody(9) = %q, want 9 spaces", r.body)
	}
}

func TestFaultHugeBodyLimitedReader(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opList, anamtest.HugeBody(1<<30)))
	resp, err := srv.Client().Do(authReq(t, context.Background(), srv, widgets))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close() // the server's writes fail; its handler returns
	if err != nil || n != 1<<20 || resp.ContentLength != 1<<30 {
		t.Errorf("read %d bytes (err %v) of Content-Length %d", n, err, resp.ContentLength)
	}
}

func TestFaultHTMLPage(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opGet, anamtest.HTMLPage()))
	r := get(t, srv, widgets+"/"+exampleID)
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || !bytes.HasPrefix(r.body, []byte("<!DOCTYPE html>")) || json.Valid(r.body) {
		t.Errorf("HTMLPage: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
}

func TestFaultWrongContentType(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opGet, anamtest.WrongContentType("text/plain"), anamtest.WrongContentType("")))
	normal := srv.Items(widgets)[0]
	r := get(t, srv, widgets+"/"+exampleID)
	if r.status != 200 || r.header.Get("Content-Type") != "text/plain" || !bytes.Equal(r.body, normal) {
		t.Errorf("WrongContentType(text/plain): %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = get(t, srv, widgets+"/"+exampleID)
	if _, ok := r.header["Content-Type"]; r.status != 200 || ok || !json.Valid(r.body) {
		t.Errorf("WrongContentType(\"\"): %d, header %v", r.status, r.header)
	}
}

func TestFaultEmptyBody(t *testing.T) {
	srv := newServer(t, anamtest.WithFaults(opList, anamtest.EmptyBody()))
	r := get(t, srv, widgets)
	if r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Length") != "0" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("EmptyBody: %d %v %q", r.status, r.header, r.body)
	}
}

func TestFaultRedirect(t *testing.T) {
	srv := newServer(t, anamtest.WithItems(14))
	srv.InjectFaults(opList, anamtest.Redirect(http.StatusFound, widgets+"?page=2"))

	// net/http follows a same-host redirect, keeping Authorization; the
	// request it follows with is a new one, which a fault would apply to.
	p := listPage(t, srv, "")
	if *p.Meta.CurrentPage != 2 || srv.Requests(opList) != 2 {
		t.Errorf("followed redirect: page %d after %d requests, want page 2 after 2", *p.Meta.CurrentPage, srv.Requests(opList))
	}
	srv.InjectFaults(opList, anamtest.Redirect(http.StatusTemporaryRedirect, "http://example.invalid"+widgets))
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r := request(t, noFollow, http.MethodGet, srv.URL+widgets, "Authorization", "Bearer "+srv.APIKey())
	if r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != "http://example.invalid"+widgets {
		t.Errorf("Redirect(307): %d Location %q", r.status, r.header.Get("Location"))
	}
}

func TestPersistentLatency(t *testing.T) {
	const d = 40 * time.Millisecond
	srv := newServer(t, anamtest.WithLatency(opList, d))
	for range 2 {
		start := time.Now()
		if r := get(t, srv, widgets); r.status != 200 || time.Since(start) < d {
			t.Errorf("with latency: %d after %v", r.status, time.Since(start))
		}
	}
	srv.SetLatency(opList, 0)
	srv.SetLatency(anamtest.AllOperations, d)
	start := time.Now()
	if r := get(t, srv, widgets+"/"+exampleID); r.status != 200 || time.Since(start) < d {
		t.Errorf("AllOperations latency on getWidget: %d after %v", r.status, time.Since(start))
	}
	// An operation's own setting overrides AllOperations'.
	srv.SetLatency(opGet, time.Millisecond)
	srv.SetLatency(anamtest.AllOperations, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	resp, err := srv.Client().Do(authReq(t, ctx, srv, widgets+"/"+exampleID))
	if err != nil {
		t.Fatalf("getWidget with its own 1ms latency: %v", err)
	}
	resp.Body.Close()
}

func TestFaultString(t *testing.T) {
	tests := map[string]anamtest.Fault{
		"Status(503) Retry-After=1 after 10ms":      anamtest.Status(503).WithRetryAfter("1").After(10 * time.Millisecond),
		`Status(429) body="busy" (text/plain)`:      anamtest.Status(429).WithBody("text/plain", "busy"),
		"Latency(1s)":                               anamtest.Latency(time.Second),
		"DropConnection()":                          anamtest.DropConnection(),
		"SlowBody(2s)":                              anamtest.SlowBody(2 * time.Second),
		"HugeBody(1024)":                            anamtest.HugeBody(1024),
		`WrongContentType("text/plain")`:            anamtest.WrongContentType("text/plain"),
		`Redirect(302, "/x")`:                       anamtest.Redirect(302, "/x"),
		"MalformedJSON()":                           anamtest.MalformedJSON(),
		"TruncatedBody()":                           anamtest.TruncatedBody(),
		"HTMLPage()":                                anamtest.HTMLPage(),
		"EmptyBody()":                               anamtest.EmptyBody(),
		"Fault{} (invalid)":                         {},
		"Latency(1.5s)":                             anamtest.Latency(time.Second).After(500 * time.Millisecond),
		"EmptyBody() Retry-After=Wed, 21 Oct 2015":  anamtest.EmptyBody().WithRetryAfter("Wed, 21 Oct 2015"),
		"HTMLPage() after 1ms":                      anamtest.HTMLPage().After(time.Millisecond),
		"TruncatedBody() Retry-After=2 after 3ms":   anamtest.TruncatedBody().After(time.Millisecond).After(2 * time.Millisecond).WithRetryAfter("2"),
		"Status(500) body=\"\" ()":                  anamtest.Status(500).WithBody("", ""),
		"Redirect(301, \"https://example.com/v1\")": anamtest.Redirect(301, "https://example.com/v1"),
	}
	for want, f := range tests {
		if got := f.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
