package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/upload"
)

// uploadForm is a generated-like Form struct: a file and a text field.
type uploadForm struct {
	File upload.File `json:"file"`
	Name string      `json:"name"`
}

var uploadOp = &Operation{ID: "uploadThing", Method: http.MethodPut, Path: "/v1/things", Body: BodyMultipart, Result: ResultObject}

func newTestClient(t *testing.T, url string, cfg Config) *Client {
	t.Helper()
	cfg.APIKey, cfg.BaseURL = "sk-test-0123456789abcdef", url
	cfg.MaxBodyBytes, cfg.MaxRetries, cfg.Backoff = 1<<20, 3, Backoff{Base: time.Millisecond, Max: time.Millisecond}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMultipartReplaysAreComplete: item 3 of issue 18, for multipart
// forms. The first attempt of each call gets a 503 (Retry-After: 0)
// before the server reads its body, so the writer goroutine of that
// attempt is still copying the file when the retry starts; the retry
// rewinds the file only once that goroutine is stopped and has returned.
// Every form the server reads whole holds the whole file, 100 times over
// (under -race, the attempts share no reader).
func TestMultipartReplaysAreComplete(t *testing.T) {
	content := make([]byte, 512<<10)
	for i := range content {
		content[i] = byte(i*7 + i/251)
	}
	want := sha256.Sum256(content)
	var mu sync.Mutex
	n, whole := 0, 0
	var bad []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n%2 == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "0")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(r.Body, params["boundary"])
		got := map[string][]byte{}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				mu.Lock()
				bad = append(bad, "unreadable form: "+err.Error())
				mu.Unlock()
				w.WriteHeader(400)
				return
			}
			b, _ := io.ReadAll(p)
			got[p.FormName()] = b
		}
		mu.Lock()
		whole++
		if sha256.Sum256(got["file"]) != want || string(got["name"]) != "clip" {
			bad = append(bad, fmt.Sprintf("a form whose file has %d bytes of %d", len(got["file"]), len(content)))
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, Config{})
	const runs = 100
	for i := range runs {
		file := bytes.NewReader(content)
		form := &uploadForm{File: upload.File{Name: "clip.bin", Reader: file}, Name: "clip"}
		var out map[string]any
		if err := c.Call(context.Background(), &Request{Op: uploadOp, Body: form, Multipart: true, Out: &out}); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if whole != runs || len(bad) > 0 {
		t.Fatalf("%d forms read whole of %d; %d bad: %v", whole, runs, len(bad), bad)
	}
}

// slowFile is a seekable file whose reads take a while, and which records
// whether a read was under way or started after the call returned.
type slowFile struct {
	*bytes.Reader
	returned atomic.Bool
	late     atomic.Int32
}

func (f *slowFile) Read(p []byte) (int, error) {
	if f.returned.Load() {
		f.late.Add(1)
	}
	time.Sleep(5 * time.Millisecond)
	n, err := f.Reader.Read(p[:min(len(p), 4096)])
	if f.returned.Load() {
		f.late.Add(1)
	}
	return n, err
}

// TestUploadIsStoppedBeforeReturn: a call whose upload the server refuses
// early (400, not retried) returns only once its multipart writer has
// stopped reading the caller's file: no read of it is under way or starts
// after the call returned.
func TestUploadIsStoppedBeforeReturn(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"message":"refused"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, Config{})
	for range 5 {
		f := &slowFile{Reader: bytes.NewReader(make([]byte, 1<<20))}
		form := &uploadForm{File: upload.File{Name: "big.bin", Reader: f}, Name: "big"}
		err := c.Call(context.Background(), &Request{Op: uploadOp, Body: form, Multipart: true})
		f.returned.Store(true)
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != 400 {
			t.Fatalf("err = %v, want the 400", err)
		}
		time.Sleep(20 * time.Millisecond)
		if n := f.late.Load(); n > 0 {
			t.Fatalf("the file was read after the call returned (%d times)", n)
		}
	}
}

// TestUploadContentTypeInjection: item 7 of issue 18. A file's
// ContentType with CR LF would add part headers of its own; it is refused
// before anything is sent, with an *ArgumentError, and never retried.
func TestUploadContentTypeInjection(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, Config{})
	for _, ct := range []string{"image/png\r\nContent-Disposition: form-data; name=\"admin\"", "image/png\nX: 1", "text/plain\x00", "not a media type"} {
		form := &uploadForm{File: upload.File{Name: "a.png", ContentType: ct, Reader: bytes.NewReader([]byte("png"))}, Name: "a"}
		err := c.Call(context.Background(), &Request{Op: uploadOp, Body: form, Multipart: true})
		var ae *ArgumentError
		if !errors.As(err, &ae) || ae.Name != "file.ContentType" {
			t.Errorf("ContentType %q: err = %v, want an ArgumentError on file.ContentType", ct, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
