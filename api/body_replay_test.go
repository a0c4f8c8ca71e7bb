package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

// replayServer answers every other request 503 with Retry-After: 0 before
// reading a byte of its body, which leaves net/http still writing that
// body when the client moves on to the next attempt; the other requests
// are read whole, and what arrived is recorded.
type replayServer struct {
	*httptest.Server
	mu       sync.Mutex
	n        int
	received [][32]byte // the SHA-256 of each body read whole
	lengths  []int
}

func newReplayServer(t *testing.T) *replayServer {
	t.Helper()
	s := &replayServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.n++
		first := s.n%2 == 1
		s.mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "0")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.received = append(s.received, sha256.Sum256(b))
		s.lengths = append(s.lengths, len(b))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"thing-1"}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// replayBody is a body that is large enough for the transport to be still
// writing it when the 503 comes back: 512 KiB, never the same byte twice in
// a row, so that a body shifted, cut or read twice shows.
var replayBody = func() []byte {
	b := make([]byte, 512<<10)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}()

// seekOnly hides every method of a reader but Read and Seek: a body the
// SDK must rewind, not read by sections.
type seekOnly struct{ io.ReadSeeker }

// closeWatcher is a file-like body that records being closed.
type closeWatcher struct {
	*bytes.Reader
	closed bool
}

func (c *closeWatcher) Close() error { c.closed = true; return nil }

// TestRetriedBodiesAreComplete: item 3 of issue 18. A PUT through Do whose
// first attempt gets a 503 before the server reads its body is retried,
// 100 times over, and every body the server reads whole is the body given:
// the retry never reads the caller's reader while the previous attempt's
// transport may still read it. Run under -race (make ci does), the test
// also proves the attempts share no reader.
func TestRetriedBodiesAreComplete(t *testing.T) {
	want := sha256.Sum256(replayBody)
	path := filepath.Join(t.TempDir(), "body.bin")
	if err := os.WriteFile(path, replayBody, 0o600); err != nil {
		t.Fatal(err)
	}
	bodies := map[string]func(t *testing.T) io.Reader{
		"*bytes.Reader (io.ReaderAt)": func(*testing.T) io.Reader { return bytes.NewReader(replayBody) },
		"*os.File (io.ReaderAt)": func(t *testing.T) io.Reader {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		},
		"a Seeker only": func(*testing.T) io.Reader { return seekOnly{bytes.NewReader(replayBody)} },
		"a Seeker that is a Closer": func(*testing.T) io.Reader {
			return &closeWatcher{Reader: bytes.NewReader(replayBody)}
		},
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newReplayServer(t)
			c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(s.URL))
			if err != nil {
				t.Fatal(err)
			}
			const runs = 100
			for i := range runs {
				r := body(t)
				resp, err := c.Do(context.Background(), bodyOp(http.MethodPut), api.RawRequest{PathArgs: []string{"thing-1"}, Body: r, ContentType: "application/json"})
				if err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
				if resp.StatusCode != 200 {
					t.Fatalf("run %d: status %d", i, resp.StatusCode)
				}
				if cw, ok := r.(*closeWatcher); ok && cw.closed {
					t.Fatalf("run %d: the SDK closed the caller's reader", i)
				}
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if len(s.received) != runs {
				t.Fatalf("%d bodies read whole, want %d", len(s.received), runs)
			}
			for i, got := range s.received {
				if got != want {
					t.Errorf("body %d arrived corrupted: %d bytes of %d", i, s.lengths[i], len(replayBody))
				}
			}
		})
	}
}

// TestCallersFileIsNeverClosed: item 4 of issue 18. The *os.File given to
// Do is the caller's: the SDK leaves it open on success, and a retry reads
// it again instead of failing with "file already closed".
func TestCallersFileIsNeverClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(path, []byte(payload), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := newReplayServer(t)
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(s.URL))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the first call is retried once; the second is given the same file
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			t.Fatalf("call %d: the file cannot seek: %v", i, err)
		}
		if _, err := c.Do(context.Background(), bodyOp(http.MethodPut), api.RawRequest{PathArgs: []string{"thing-1"}, Body: f, ContentType: "application/json"}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if _, err := f.Stat(); err != nil {
		t.Fatalf("the caller's file after the calls: %v", err)
	}
	b := make([]byte, 4)
	if _, err := f.ReadAt(b, 0); err != nil {
		t.Fatalf("the caller's file was closed: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, got := range s.received {
		if got != sha256.Sum256([]byte(payload)) {
			t.Errorf("body %d: %d bytes, not the file", i, s.lengths[i])
		}
	}
	if len(s.received) != 2 {
		t.Errorf("%d bodies received, want 2", len(s.received))
	}
}

// A body that cannot be sent twice is sent once, and the error says why
// the call was not retried; the caller's reader is not closed either.
func TestStreamBodyIsNotReplayed(t *testing.T) {
	s := newReplayServer(t)
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(s.URL))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(replayBody)
		pw.Close()
	}()
	_, err = c.Do(context.Background(), bodyOp(http.MethodPut), api.RawRequest{PathArgs: []string{"thing-1"}, Body: pr, ContentType: "application/json"})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("cannot be sent twice")) {
		t.Fatalf("err = %v, want one saying the body cannot be sent twice", err)
	}
	if _, err := io.Copy(io.Discard, pr); err != nil {
		t.Errorf("the caller's reader after the call: %v (the SDK closed it)", err)
	}
}
