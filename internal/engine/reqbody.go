package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// The request body of each attempt. Three rules hold for every body a
// call is given:
//
//   - the SDK never closes a reader the caller gave it: the transport
//     closes the attemptBody over it, which leaves it open;
//   - an attempt's body is never read while an earlier attempt may still
//     read it: a body that is an io.ReaderAt is read through a fresh
//     io.SectionReader per attempt (no shared offset at all); any other
//     seekable body is rewound only once the previous attemptBody is
//     stopped (no read under way, none to come); a multipart form's writer
//     goroutine is stopped and waited for before its files are rewound;
//   - once the call returns, nothing reads the caller's readers any more
//     (release).

// bodySource is a request body that can be sent once per attempt.
type bodySource interface {
	// open returns the body of one attempt (first for the first one), its
	// Content-Type and its length (-1 if unknown); errNotReplayable when a
	// later attempt cannot have it.
	open(first bool) (body io.Reader, contentType string, length int64, err error)
	replayable() bool
	// streamed reports whether the body is read from the caller's readers
	// as it is sent, rather than held in memory: its attempts are bounded
	// by a stall timeout (see stallContext).
	streamed() bool
	// release stops the last attempt's reading of the caller's readers,
	// and waits for it to stop (unless ctx ends first): once the call
	// returns, the readers are the caller's alone.
	release(ctx context.Context)
}

// bytesBody is an in-memory body (JSON): replayable at no cost.
type bytesBody struct {
	data        []byte
	contentType string
}

func (b *bytesBody) open(bool) (io.Reader, string, int64, error) {
	return bytes.NewReader(b.data), b.contentType, int64(len(b.data)), nil
}
func (b *bytesBody) replayable() bool        { return true }
func (b *bytesBody) streamed() bool          { return false }
func (b *bytesBody) release(context.Context) {}

// readerBody is a body from the caller's io.Reader (Do's RawRequest.Body).
type readerBody struct {
	r           io.Reader
	contentType string

	inspected bool
	ra        io.ReaderAt // set when each attempt reads its own section
	start     int64       // where r started
	size      int64       // the bytes from start to the end, for ra
	seeked    bool        // start is known: r can be rewound to it
	last      *attemptBody
}

// inspect finds out, before the first attempt, how r can be read again:
// through io.ReaderAt (a file, a bytes or strings Reader, a section), by
// seeking back, or not at all.
func (b *readerBody) inspect() {
	b.inspected = true
	s, ok := b.r.(io.Seeker)
	if !ok {
		return
	}
	pos, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return
	}
	b.start, b.seeked = pos, true
	ra, ok := b.r.(io.ReaderAt)
	if !ok {
		return
	}
	size := int64(-1)
	switch r := b.r.(type) {
	case interface{ Size() int64 }: // *bytes.Reader, *strings.Reader, *io.SectionReader
		size = r.Size()
	case *os.File:
		if st, err := r.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	if size >= pos {
		b.ra, b.size = ra, size-pos
	}
}

func (b *readerBody) open(first bool) (io.Reader, string, int64, error) {
	if !b.inspected {
		b.inspect()
	}
	if b.ra != nil {
		b.last = &attemptBody{r: io.NewSectionReader(b.ra, b.start, b.size)}
		return b.last, b.contentType, b.size, nil
	}
	if !first {
		if !b.seeked {
			return nil, "", 0, errNotReplayable
		}
		b.last.stop()
		if _, err := b.r.(io.Seeker).Seek(b.start, io.SeekStart); err != nil {
			return nil, "", 0, fmt.Errorf("rewinding the request body for another attempt: %w", err)
		}
	}
	length := int64(-1)
	if l, ok := b.r.(interface{ Len() int }); ok {
		length = int64(l.Len())
	}
	b.last = &attemptBody{r: b.r}
	return b.last, b.contentType, length, nil
}

func (b *readerBody) replayable() bool {
	_, ok := b.r.(io.Seeker)
	return ok
}

func (b *readerBody) streamed() bool { return true }

func (b *readerBody) release(context.Context) {
	if b.last == nil {
		return
	}
	if b.seeked {
		b.last.stop() // a read of a file or a buffer ends at once
		return
	}
	// A stream's read may block until it has data: it is refused from now
	// on, and whatever read is under way is left to end.
	b.last.Close()
}

var errNotReplayable = fmt.Errorf("the request body is a stream that cannot be sent twice, so the call was not retried")

// errAttemptOver is what a read of an attempt's body returns once that
// attempt is over.
var errAttemptOver = errors.New("anam: the request body of an attempt that is over was read")

// attemptBody is what one attempt's request reads: the transport closes
// it, which does not close the reader beneath (the caller's). stop
// returns once no read of it is under way and none can start: the reader
// beneath may then be rewound for another attempt. progress, when set, is
// called after each read (see stallContext).
type attemptBody struct {
	mu       sync.Mutex // held during a read
	r        io.Reader
	stopped  atomic.Bool
	progress func()
}

func (b *attemptBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped.Load() {
		return 0, errAttemptOver
	}
	n, err := b.r.Read(p)
	if b.progress != nil {
		b.progress()
	}
	return n, err
}

// Close stops further reads without waiting for one under way: the
// transport may call it from any goroutine, at any time.
func (b *attemptBody) Close() error {
	b.stopped.Store(true)
	return nil
}

// stop stops further reads and waits for one under way to return.
func (b *attemptBody) stop() {
	b.stopped.Store(true)
	b.mu.Lock()
	//lint:ignore SA2001 an empty critical section: it waits for a read under way
	b.mu.Unlock()
}

// stallContext bounds an attempt whose body is streamed from the caller's
// readers (an upload): it ends with context.DeadlineExceeded when the
// per-attempt timeout passes with no progress in sending the body, or,
// once the body is sent, with no response read; or when its parent ends,
// with the parent's error. A slow upload that keeps moving is not cut,
// however long it takes: only the caller's context bounds it.
type stallContext struct {
	context.Context // the parent: its values and deadline
	done            chan struct{}
	timeout         time.Duration

	mu         sync.Mutex
	err        error
	timer      *time.Timer
	stopParent func() bool
}

func newStallContext(parent context.Context, timeout time.Duration) *stallContext {
	c := &stallContext{Context: parent, done: make(chan struct{}), timeout: timeout}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer = time.AfterFunc(timeout, func() { c.end(context.DeadlineExceeded) })
	c.stopParent = context.AfterFunc(parent, func() { c.end(parent.Err()) })
	return c
}

func (c *stallContext) Done() <-chan struct{} { return c.done }

func (c *stallContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *stallContext) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
		c.timer.Stop()
	}
}

// progress gives the attempt the whole timeout again, from now.
func (c *stallContext) progress() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.timer.Reset(c.timeout)
	}
}

// cancel ends the context, as a context.CancelFunc does.
func (c *stallContext) cancel() {
	c.end(context.Canceled)
	c.stopParent()
}
