package anamtest

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHugePages: no page or page size the spec allows makes the fake
// fail: page 9223372036854775807, where (page-1)*perPage overflowed, and
// the largest page size where the spec sets no maximum, on every
// paginated list of every document. (An integer beyond int64 is refused
// by kin-openapi's parameter decoder, with a 400 that says so.)
func TestHugePages(t *testing.T) {
	lists := 0
	for name, doc := range specs(t) {
		ix, _ := indexFor(doc)
		srv := NewServer(WithSpec(doc), WithItems(3), WithT(reporterFor(t, name)))
		for _, rt := range ix.routes {
			if rt.kind != kindList || rt.list.pageParam == "" {
				continue
			}
			lists++
			base := buildCall(t, srv, rt)
			queries := []url.Values{{rt.list.pageParam: {strconv.FormatInt(math.MaxInt64, 10)}}}
			if max := paramSchema(rt, rt.list.sizeParam).Value.Max; max == nil {
				queries = append(queries, url.Values{rt.list.sizeParam: {strconv.FormatInt(math.MaxInt64, 10)}, rt.list.pageParam: {strconv.FormatInt(math.MaxInt64, 10)}})
			}
			for _, q := range queries {
				c := base
				c.query = q
				status, body := do(t, srv, c)
				var env map[string]json.RawMessage
				var items []any
				if status != 200 || json.Unmarshal(body, &env) != nil || json.Unmarshal(env[rt.list.dataKey], &items) != nil || len(items) != 0 {
					t.Errorf("%s %s?%s: %d %.300s; want 200 and an empty page", name, rt.id, q.Encode(), status, body)
				}
			}
		}
		srv.Close()
	}
	if lists == 0 {
		t.Fatal("no paginated list found")
	}
}

// TestHandlerPanic: a panic in the fake is a 500 that says so, reported
// to the test, and the server goes on serving.
func TestHandlerPanic(t *testing.T) {
	rec := &recorder{TB: t}
	boom := true
	srv := NewServer(WithSpec(loadTestdata(t, "widgets.yaml")), WithT(rec), WithResponseEditor(func(op string, status int, body []byte) []byte {
		if boom {
			panic("boom")
		}
		return body
	}))
	defer srv.Close()
	status, body := do(t, srv, call{method: "GET", path: "/v2/widgets"})
	if status != 500 || !strings.Contains(string(body), "the fake panicked: boom") {
		t.Errorf("panicking handler: %d %s", status, body)
	}
	if errs := rec.take(); len(errs) != 1 || !strings.Contains(errs[0], "anamtest: the fake panicked on GET /v2/widgets") || !strings.Contains(errs[0], "robust_test.go") {
		t.Errorf("reports %q; want one, with the stack", errs)
	}
	boom = false
	if status, _ := do(t, srv, call{method: "GET", path: "/v2/widgets"}); status != 200 {
		t.Errorf("after the panic: %d", status)
	}
}

// TestStorageLimit: the fake holds a bounded number of bytes of items; a
// write beyond it is a 507 that says what to do, reported, and deleting
// makes room again.
func TestStorageLimit(t *testing.T) {
	rec := &recorder{TB: t}
	srv := NewServer(WithSpec(loadTestdata(t, "widgets.yaml")), WithT(rec), WithStorageLimit(2000))
	defer srv.Close()
	var created []string
	var status int
	var body []byte
	for range 100 {
		status, body = do(t, srv, call{method: "POST", path: "/v2/widgets", contentType: "application/json", body: []byte(`{"label":"` + strings.Repeat("x", 40) + `","notes":"` + strings.Repeat("n", 100) + `"}`)})
		if status != 201 {
			break
		}
		created = append(created, decode(t, body)["id"].(string))
	}
	n := len(srv.Items("/v2/widgets"))
	if status != http.StatusInsufficientStorage || !strings.Contains(string(body), "WithStorageLimit") || len(created) == 0 || srv.stored.Load() > 2000 {
		t.Fatalf("after %d creates: %d %s, %d bytes held; want 507 naming WithStorageLimit within the limit", len(created), status, body, srv.stored.Load())
	}
	if errs := rec.take(); len(errs) != 1 || !strings.Contains(errs[0], "createWidget refused") {
		t.Errorf("reports %q", errs)
	}
	if status, _ := do(t, srv, call{method: "DELETE", path: "/v2/widgets/" + created[0]}); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, body := do(t, srv, call{method: "POST", path: "/v2/widgets", contentType: "application/json", body: []byte(`{"label":"small"}`)}); status != 201 {
		t.Errorf("create after a delete: %d %s", status, body)
	}
	if got := len(srv.Items("/v2/widgets")); got != n {
		t.Errorf("%d widgets, want %d", got, n)
	}
}

// withTimeouts shortens the server's timeouts, for the tests of them.
func withTimeouts(header, body, idle time.Duration) Option {
	return func(c *config) { c.headerTimeout, c.bodyTimeout, c.idleTimeout = header, body, idle }
}

// readUntilClosed reads conn until the server closes it, and returns what
// it read; it fails t if that takes longer than the watchdog.
func readUntilClosed(t *testing.T, conn net.Conn) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a watchdog, not a measure
	b, err := io.ReadAll(conn)
	if errors.Is(err, net.ErrClosed) || isTimeout(err) {
		t.Fatalf("the server did not close the connection: %v", err)
	}
	return string(b)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestTimeouts: a client that sends half a request, half a body, or keeps
// an idle connection, does not hold the fake's connections forever.
func TestTimeouts(t *testing.T) {
	rec := &recorder{TB: t}
	srv := NewServer(WithSpec(loadTestdata(t, "widgets.yaml")), WithT(rec), withTimeouts(50*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	// Many half-sent headers: each connection is closed.
	conns := make([]net.Conn, 50)
	for i := range conns {
		conns[i] = dial()
		if _, err := conns[i].Write([]byte("GET /v2/widgets HTTP/1.1\r\nHost: x\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	for _, conn := range conns {
		readUntilClosed(t, conn)
	}

	// A body that never ends: 408.
	conn := dial()
	_, _ = conn.Write([]byte("POST /v2/widgets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + srv.APIKey() + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"label\":"))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("half a body: %v %v, want 408", resp, err)
	}
	if errs := rec.take(); len(errs) != 1 || !strings.Contains(errs[0], "request body not received within") {
		t.Errorf("reports %q", errs)
	}

	// An idle keep-alive connection is closed.
	conn = dial()
	_, _ = conn.Write([]byte("GET /v2/widgets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + srv.APIKey() + "\r\n\r\n"))
	if got := readUntilClosed(t, conn); !strings.HasPrefix(got, "HTTP/1.1 200 OK") {
		t.Errorf("idle connection: read %.100q, want a 200 then the close", got)
	}
}

// TestDefaultTimeouts: a server sets header and idle timeouts, and bounds
// the time a body may take.
func TestDefaultTimeouts(t *testing.T) {
	srv := NewServer(WithSpec(loadTestdata(t, "widgets.yaml")))
	defer srv.Close()
	c := srv.ts.Config
	if c.ReadHeaderTimeout != headerTimeout || c.IdleTimeout != idleTimeout || srv.cfg.bodyTimeout != bodyTimeout || headerTimeout <= 0 || idleTimeout <= 0 || bodyTimeout <= 0 {
		t.Errorf("timeouts: header %v, idle %v, body %v", c.ReadHeaderTimeout, c.IdleTimeout, srv.cfg.bodyTimeout)
	}
}
