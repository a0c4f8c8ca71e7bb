package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/internal/loopback"
)

// The in-process benchmarks measure what a client itself costs, which
// loopback I/O otherwise buries in noise. Every client gets the same
// *http.Client on net/http's own Transport (the path users run, on which
// the SDK needs no watchdog of its own for stalled bodies), whose dialer
// returns an in-memory connection (memPipe) to a responder: it reads each
// request's head and body and writes one canned response, from bytes made
// once, with no allocation per request, so that B/op and allocs/op are
// the client's. Its CPU time (a few µs a request, the same for every
// client) is in cpu-sec/op.

// inMemoryClient returns the *http.Client of the in-process benchmarks.
func inMemoryClient(tb testing.TB) *http.Client {
	tb.Helper()
	t := newTransport()
	t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
		client, server := memPipe()
		go respond(server)
		return client, nil
	}
	t.ForceAttemptHTTP2 = false
	tb.Cleanup(t.CloseIdleConnections)
	return &http.Client{Transport: t}
}

// canned responses, whole, as the responder writes them.
var (
	cannedAvatar  = cannedResponse(http.StatusOK, loopback.AppendAvatar(nil, 1))
	cannedPage    = cannedResponse(http.StatusOK, loopback.AppendPage(nil, serverTotal, 2, 100, false))
	cannedPersona = cannedResponse(http.StatusCreated, []byte(personaJSON))
)

func cannedResponse(status int, body []byte) []byte {
	head := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", status, http.StatusText(status), len(body))
	return append([]byte(head), body...)
}

// respond answers the requests of one connection until it closes:
// POST → cannedPersona, GET /v1/avatars?... → cannedPage, any other GET →
// cannedAvatar.
func respond(conn net.Conn) {
	defer conn.Close()
	buf := make([]byte, 0, 16<<10)
	for {
		// The request's head.
		end := -1
		for end < 0 {
			if len(buf) == cap(buf) {
				return // a head over 16 KB: not one of ours
			}
			n, err := conn.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil {
				return
			}
			end = bytes.Index(buf, []byte("\r\n\r\n"))
		}
		head := buf[:end+4]
		var resp []byte
		switch {
		case bytes.HasPrefix(head, []byte("POST ")):
			resp = cannedPersona
		case bytes.HasPrefix(head, []byte("GET /v1/avatars?")):
			resp = cannedPage
		default:
			resp = cannedAvatar
		}
		// Its body, read and dropped.
		length, rest := contentLength(head), buf[end+4:]
		if len(rest) >= length {
			rest = rest[length:]
		} else {
			for need := length - len(rest); need > 0; {
				n, err := conn.Read(buf[:min(cap(buf), need)])
				if err != nil {
					return
				}
				need -= n
			}
			rest = nil
		}
		buf = buf[:copy(buf, rest)]
		if _, err := conn.Write(resp); err != nil {
			return
		}
	}
}

// contentLength returns the Content-Length of a request head, or 0.
func contentLength(head []byte) int {
	for line := range bytes.SplitSeq(head, []byte("\r\n")) {
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			n, _ := strconv.Atoi(string(bytes.TrimSpace(value)))
			return n
		}
	}
	return 0
}

// BenchmarkInProcess is each call of the loopback benchmarks on the
// in-process transport: the client's own cost per call (request building,
// checks, timeouts, retries bookkeeping, reading and decoding).
func BenchmarkInProcess(b *testing.B) {
	const base = "http://127.0.0.1:1"
	b.Run("call=get", func(b *testing.B) { runImpls(b, getAvatarImpls(base, inMemoryClient(b))...) })
	b.Run("call=list100", func(b *testing.B) { runImpls(b, listPageImpls(base, inMemoryClient(b))...) })
	b.Run("call=create", func(b *testing.B) { runImpls(b, createPersonaImpls(base, inMemoryClient(b))...) })
}

// memPipe returns the two ends of an in-memory connection. Unlike
// net.Pipe's, a write does not wait for the other end to read it: it is
// buffered (in a buffer that is reused, so that the connection allocates
// nothing once warm), as a socket's is.
func memPipe() (net.Conn, net.Conn) {
	ab, ba := newHalf(), newHalf()
	return &memConn{r: ba, w: ab}, &memConn{r: ab, w: ba}
}

// half is one direction of a memPipe.
type half struct {
	mu     sync.Mutex
	ready  sync.Cond
	buf    []byte
	off    int // read up to here
	closed bool
}

func newHalf() *half {
	h := &half{buf: make([]byte, 0, 64<<10)}
	h.ready.L = &h.mu
	return h
}

func (h *half) read(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.off == len(h.buf) && !h.closed {
		h.ready.Wait()
	}
	if h.off == len(h.buf) {
		return 0, io.EOF
	}
	n := copy(p, h.buf[h.off:])
	if h.off += n; h.off == len(h.buf) {
		h.buf, h.off = h.buf[:0], 0
	}
	return n, nil
}

func (h *half) write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return 0, io.ErrClosedPipe
	}
	h.buf = append(h.buf, p...)
	h.ready.Signal()
	return len(p), nil
}

func (h *half) close() {
	h.mu.Lock()
	h.closed = true
	h.ready.Broadcast()
	h.mu.Unlock()
}

type memConn struct{ r, w *half }

func (c *memConn) Read(p []byte) (int, error)  { return c.r.read(p) }
func (c *memConn) Write(p []byte) (int, error) { return c.w.write(p) }
func (c *memConn) Close() error {
	c.r.close()
	c.w.close()
	return nil
}
func (c *memConn) LocalAddr() net.Addr              { return memAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return memAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

type memAddr struct{}

func (memAddr) Network() string { return "memory" }
func (memAddr) String() string  { return "memory" }
