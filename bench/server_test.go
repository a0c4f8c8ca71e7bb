package bench_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/internal/loopback"
)

// The loopback server every network benchmark calls runs in a process of
// its own (this test binary, started again with envServe set): its
// allocations are not counted in the clients' B/op and allocs/op, nor its
// CPU time in their cpu-sec/op. It serves the avatar operations of
// internal/loopback and createPersona, under a path prefix that says how
// long to wait before answering: /lat/<duration>/v1/..., so that one
// server serves every latency.

// envServe, set to "1", makes this binary the loopback server: it prints
// its base URL and serves until its standard input closes.
const envServe = "ANAM_BENCH_SERVE"

// serverTotal is how many avatars the server lists: 100 pages of 100.
const serverTotal = 10_000

var pagePool = sync.Pool{New: func() any { return new([]byte) }}

// benchServer answers the benchmarks' requests.
type benchServer struct {
	auth    string
	avatar  []byte // avatar 1, with its newline
	persona []byte
}

func (s *benchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/lat/"); ok {
		d, tail, _ := strings.Cut(rest, "/")
		latency, err := time.ParseDuration(d)
		if err != nil {
			http.Error(w, "bad latency", http.StatusBadRequest)
			return
		}
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		path = "/" + tail
	}
	if r.Header.Get("Authorization") != s.auth {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"Invalid API key"}`)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && path == "/v1/personas":
		_, _ = io.Copy(io.Discard, r.Body)
		h.Set("Content-Length", strconv.Itoa(len(s.persona)))
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(s.persona)
	case r.Method == http.MethodGet && path == "/v1/avatars":
		q := r.URL.Query()
		page, perPage := atoiOr(q.Get("page"), 1), atoiOr(q.Get("perPage"), 10)
		bp := pagePool.Get().(*[]byte)
		*bp = loopback.AppendPage((*bp)[:0], serverTotal, page, perPage, false)
		h.Set("Content-Length", strconv.Itoa(len(*bp)))
		_, _ = w.Write(*bp)
		pagePool.Put(bp)
	case r.Method == http.MethodGet && path == "/v1/avatars/"+benchAvatarID:
		h.Set("Content-Length", strconv.Itoa(len(s.avatar)))
		_, _ = w.Write(s.avatar)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"Not found"}`)
	}
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// serveMain is this binary as the loopback server.
func serveMain() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		os.Exit(2)
	}
	s := &benchServer{auth: "Bearer " + testKey, avatar: append(loopback.AppendAvatar(nil, 1), '\n'), persona: []byte(personaJSON)}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("http://%s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmarks end
	os.Exit(0)
}

var server struct {
	once sync.Once
	url  string
	err  error
	cmd  *exec.Cmd
	in   io.WriteCloser
}

// serverURL returns the base URL of the loopback server, with a latency
// of latency per request, starting the server on first use.
func serverURL(tb testing.TB, latency time.Duration) string {
	tb.Helper()
	server.once.Do(startServer)
	if server.err != nil {
		tb.Fatal(server.err)
	}
	if latency == 0 {
		return server.url
	}
	return server.url + "/lat/" + latency.String()
}

func startServer() {
	exe, err := os.Executable()
	if err != nil {
		server.err = err
		return
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		server.err = err
		return
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		server.err = err
		return
	}
	if err := cmd.Start(); err != nil {
		server.err = fmt.Errorf("starting the loopback server: %w", err)
		return
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		server.err = fmt.Errorf("the loopback server did not say its URL: %w", err)
		return
	}
	server.url, server.cmd, server.in = strings.TrimSpace(line), cmd, in
}

// stopServer ends the loopback server, if it was started.
func stopServer() {
	if server.cmd == nil {
		return
	}
	_ = server.in.Close()
	done := make(chan struct{})
	go func() { _ = server.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = server.cmd.Process.Kill()
		<-done
	}
}
