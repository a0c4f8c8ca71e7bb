package api_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
)

// The faults here need real sockets: connection reuse, and a connection
// reset by the peer. The others are in the fault matrix (fault_test.go).

// TestConnectionReuse makes many sequential calls, successes and failures
// of every kind, and counts the TCP connections the server accepts: bodies
// are read or drained, and closed, so one connection serves them all.
func TestConnectionReuse(t *testing.T) {
	s := newStub(t, 30)
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve)) // the stub's handler
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	var calls atomic.Int64
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		switch calls.Add(1) % 8 {
		case 1:
			writeJSON(w, 404, map[string]any{"message": "Avatar not found"})
		case 2:
			writeJSON(w, 500, map[string]any{"message": "boom"}) // retried
		case 3:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = w.Write([]byte(strings.Repeat("<p>bad gateway</p>", 2000))) // 36 KB: read 4 KiB, drain the rest
		case 4:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>not json</html>")) // 200, ErrDecode
		case 5:
			writeJSONRaw(w, 200, `{"displayName":"`+strings.Repeat("x", 6000)+`"}`) // over the client's limit
		case 6:
			writeJSON(w, 401, map[string]any{"error": "Invalid API key"})
		default:
			return false
		}
		return true
	})
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(srv.URL), api.WithMaxResponseBytes(4096))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var failures int
	for range 40 {
		if _, err := c.GetAvatar(ctx, knownID); err != nil {
			failures++
		}
		if _, err := c.ListAvatars(ctx, &api.ListAvatarsParams{PerPage: new(5)}); err != nil {
			failures++
		}
	}
	if failures == 0 || calls.Load() < 80 {
		t.Fatalf("%d failures in %d requests: the faults were not served", failures, calls.Load())
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d requests (%d failed calls) used %d connections, want 1", calls.Load(), failures, n)
	}
}

// TestResetMidBody has the server cut the connection (a TCP reset) in the
// middle of a body: the SDK tries again, on a new connection.
func TestResetMidBody(t *testing.T) {
	s := newStub(t, 1)
	var calls atomic.Int64
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		if calls.Add(1) > 1 {
			return false
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return true
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n%s", avatarJSON[:30])
		_ = buf.Flush()
		_ = conn.(*net.TCPConn).SetLinger(0) // close with RST
		_ = conn.Close()
		return true
	})
	a, err := s.client(t).GetAvatar(context.Background(), knownID)
	if err != nil || *a.ID != knownID || calls.Load() != 2 {
		t.Fatalf("GetAvatar = %v, %v after %d requests; want the second to succeed", a, err, calls.Load())
	}

	calls.Store(-100) // every request is cut now
	_, err = s.client(t, api.WithMaxRetries(1)).GetAvatar(context.Background(), knownID)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Attempts != 2 || !ae.Temporary() || errors.Is(err, api.ErrDecode) {
		t.Fatalf("err = %v; want a temporary failure after 2 attempts", err)
	}
}

// TestSlowBodyRealSocket has the server stall in the middle of a body: the
// per-attempt timeout ends each attempt.
func TestSlowBodyRealSocket(t *testing.T) {
	s := newStub(t, 1)
	release := make(chan struct{})
	defer close(release)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte(avatarJSON[:30]))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	start := time.Now()
	_, err := s.client(t, api.WithTimeout(50*time.Millisecond), api.WithMaxRetries(1)).GetAvatar(context.Background(), knownID)
	var ae *api.Error
	if !errors.As(err, &ae) || !errors.Is(err, context.DeadlineExceeded) || ae.Attempts != 2 || ae.StatusCode != 200 {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestCloseIdleConnections: the client's idle connections can be released,
// and the next call opens a new one.
func TestCloseIdleConnections(t *testing.T) {
	s := newStub(t, 1)
	var opened, closed atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			opened.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.GetAvatar(context.Background(), knownID); err != nil {
			t.Fatal(err)
		}
	}
	if opened.Load() != 1 || closed.Load() != 0 {
		t.Fatalf("3 calls: %d connections opened, %d closed; want 1, 0", opened.Load(), closed.Load())
	}
	c.CloseIdleConnections()
	for i := 0; closed.Load() == 0 && i < 2000; i++ {
		time.Sleep(time.Millisecond)
	}
	if closed.Load() != 1 {
		t.Fatalf("CloseIdleConnections: %d connections closed, want 1", closed.Load())
	}
	if _, err := c.GetAvatar(context.Background(), knownID); err != nil {
		t.Fatal(err)
	}
	if opened.Load() != 2 {
		t.Errorf("%d connections opened, want 2: one before, one after", opened.Load())
	}

	// A Doer without the method is left alone; one with it is called.
	var called atomic.Int64
	for _, d := range []api.Doer{doerFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("unused") }), closer{&called}} {
		c, err := api.NewClient(api.WithAPIKey(testKey), api.WithDoer(d))
		if err != nil {
			t.Fatal(err)
		}
		c.CloseIdleConnections()
	}
	if called.Load() != 1 {
		t.Errorf("the Doer's CloseIdleConnections was called %d times, want 1", called.Load())
	}
}

// closer is a Doer with a CloseIdleConnections method.
type closer struct{ calls *atomic.Int64 }

func (closer) Do(*http.Request) (*http.Response, error) { return nil, errors.New("unused") }
func (c closer) CloseIdleConnections()                  { c.calls.Add(1) }
