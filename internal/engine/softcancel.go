package engine

import (
	"context"
	"sync"
	"time"
)

// SoftCancel returns a context for a call whose result may turn out not
// to be wanted, and drop, which cancels it: at once, or, when the call's
// response is being read, once it has been read (for at most dropGrace),
// so that its connection stays open for reuse. cancel cancels it at once
// (call it when the call is over, to release the context). The page
// walker (internal/pager) requests the pages ahead of the one in hand in
// such contexts.
func SoftCancel(parent context.Context) (ctx context.Context, drop func(), cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(parent)
	sc := &softCancel{cancel: cancel}
	return context.WithValue(ctx, softCancelKey{}, sc), sc.drop, cancel
}

// dropGrace is how long a page requested ahead whose response is being
// read when it is dropped may go on reading, so that its connection stays
// open for reuse, before it is cancelled (which closes the connection).
const dropGrace = 100 * time.Millisecond

// softCancel cancels a call (a page requested ahead, say), but not in the
// middle of reading its response: cancelling then would close the
// connection, and a walk that drops pages often (a server whose lastPage
// moves) would open about one connection per dropped page. Such a call is
// let finish into the bin, for at most dropGrace, and is not retried. The
// attempt marks the reading (see readingResponse).
type softCancel struct {
	mu      sync.Mutex
	cancel  context.CancelFunc
	reading bool // a response is being read
	dropped bool
	timer   *time.Timer
}

type softCancelKey struct{}

// drop cancels at once, or when the response being read has been read.
func (s *softCancel) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped {
		return
	}
	s.dropped = true
	if !s.reading {
		s.cancel()
		return
	}
	s.timer = time.AfterFunc(dropGrace, s.cancel)
}

// readingResponse marks, in a context of SoftCancel, that its response
// came back and its body is being read; the function it returns marks the
// end of the reading, when a dropped call is cancelled so that it is not
// retried. Elsewhere it does nothing.
func readingResponse(ctx context.Context) (done func()) {
	s, _ := ctx.Value(softCancelKey{}).(*softCancel)
	if s == nil {
		return func() {}
	}
	s.mu.Lock()
	s.reading = !s.dropped
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reading = false
		if s.dropped {
			if s.timer != nil {
				s.timer.Stop()
			}
			s.cancel()
		}
	}
}
