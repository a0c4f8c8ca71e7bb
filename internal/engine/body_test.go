package engine

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadBody reads bodies around the limit and the chunk sizes, whole or
// a byte at a time, with and without a Content-Length, and checks what
// comes back against the body sent.
func TestReadBody(t *testing.T) {
	data := make([]byte, 200<<10)
	for i := range data {
		data[i] = byte(i % 251)
	}
	limit := int64(100 << 10)
	for _, n := range []int64{0, 1, firstChunk - 1, firstChunk, firstChunk + 1, 3 * firstChunk, limit - 1, limit, limit + 1, 200 << 10} {
		for _, known := range []bool{false, true} {
			for name, wrap := range map[string]func(io.Reader) io.Reader{"whole": func(r io.Reader) io.Reader { return r }, "bytewise": iotest.OneByteReader} {
				for _, keep := range []bool{false, true} {
					length := int64(-1)
					if known {
						length = n
					}
					body, over, buf, err := readBody(wrap(bytes.NewReader(data[:n])), limit, length, keep)
					switch {
					case err != nil:
						t.Errorf("n=%d %s: %v", n, name, err)
					case over != (n > limit):
						t.Errorf("n=%d %s: over = %v", n, name, over)
					case !over && !bytes.Equal(body, data[:n]):
						t.Errorf("n=%d %s: read %d bytes, not the body", n, name, len(body))
					case over && keep && !bytes.Equal(body, data[:limit]):
						t.Errorf("n=%d %s: kept %d bytes, not the first %d", n, name, len(body), limit)
					case over && !keep && body != nil:
						t.Errorf("n=%d %s: a body over the limit came back", n, name)
					}
					buf.release()
				}
			}
		}
	}
	if _, _, buf, err := readBody(iotest.ErrReader(io.ErrUnexpectedEOF), limit, -1, false); err != io.ErrUnexpectedEOF {
		t.Errorf("a failing read: err = %v", err)
	} else {
		buf.release()
	}
}
