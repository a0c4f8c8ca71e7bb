package engine

import (
	"io"
	"sync"
)

const (
	// firstChunk is the size of a new pooled body buffer: enough for most
	// responses, which are then read with no allocation at all.
	firstChunk = 32 << 10
	// maxPooled bounds the body buffers kept for reuse: a rare outsized
	// body does not pin its memory.
	maxPooled = 4 << 20
)

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, firstChunk); return &b }}

// pooled is a body buffer borrowed from bodyPool: release gives it back.
// It is a value, not a closure, so that borrowing costs no allocation.
type pooled struct{ bp *[]byte }

func (p pooled) release() {
	if p.bp != nil && cap(*p.bp) <= maxPooled {
		*p.bp = (*p.bp)[:0]
		bodyPool.Put(p.bp)
	}
}

// readBody reads r to its end, but never more than limit+1 bytes, and
// returns what it read. length is the body's Content-Length, or -1.
//
// over is true when the body did not end within limit bytes; body is then
// its first limit bytes when keepOver is set, else nil. buf.release must
// be called once body is no longer used: body may be a pooled buffer.
//
// The heap it takes is bounded near the limit, not twice or thrice it as
// growing one buffer by doubling would be: a body of known length is read
// into a buffer of that length; one of unknown length (chunked) into
// chunks, each as large as all before it (so at most limit+1 bytes in all,
// however long the body), that are joined once at the end.
func readBody(r io.Reader, limit, length int64, keepOver bool) (body []byte, over bool, buf pooled, err error) {
	bp := bodyPool.Get().(*[]byte)
	buf = pooled{bp}
	cur := (*bp)[:0]
	if length > int64(cap(cur)) && length <= limit {
		cur = make([]byte, 0, length)
	}
	var chunks [][]byte
	total := int64(0)
	for total <= limit {
		if len(cur) == cap(cur) {
			// Full: see whether more comes before making room for it, so
			// that a body that fits exactly allocates nothing more.
			var one [1]byte
			n, rerr := readSome(r, one[:])
			if n == 0 {
				err = rerr
				break
			}
			chunks = append(chunks, cur)
			cur = make([]byte, 1, min(max(total, firstChunk), limit+1-total))
			cur[0] = one[0]
			total++
			if rerr != nil {
				err = rerr
				break
			}
			continue
		}
		room := min(int64(cap(cur)-len(cur)), limit+1-total)
		n, rerr := r.Read(cur[len(cur) : len(cur)+int(room)])
		cur = cur[:len(cur)+n]
		total += int64(n)
		if rerr != nil {
			err = rerr
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	over = total > limit
	switch {
	case over && !keepOver:
		return nil, true, buf, err
	case len(chunks) == 0:
		body = cur
	default:
		size := total
		if over {
			size = limit
		}
		body = make([]byte, 0, size)
		for _, c := range append(chunks, cur) {
			body = append(body, c[:min(int64(len(c)), size-int64(len(body)))]...)
		}
	}
	if over {
		body = body[:limit]
	}
	if cap(body) > cap(*bp) && cap(body) <= maxPooled {
		*bp = body[:0] // reused by the next call, once released
	}
	return body, over, buf, err
}

// readSome reads into p until it reads a byte or fails.
func readSome(r io.Reader, p []byte) (int, error) {
	for range 100 {
		if n, err := r.Read(p); n > 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}
