package loopback

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
)

// AvatarID is the ID of avatar i (from 1): 00000000-0000-4000-8000-<i in
// 12 digits>.
func AvatarID(i int) string { return string(AppendID(nil, i)) }

// AppendAvatar appends the JSON of avatar i (from 1), shaped like the API's:
// every field of the spec, about 430 bytes.
func AppendAvatar(b []byte, i int) []byte {
	b = append(b, `{"id":"`...)
	b = AppendID(b, i)
	b = append(b, `","displayName":"Avatar `...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `","variantName":"studio, soft light","imageUrl":"https://lab.anam.ai/persona_thumbnails/`...)
	b = AppendID(b, i)
	b = append(b, `.png","videoUrl":null,"createdByOrganizationId":null,"activeVersion":"v2","availableVersions":["v1","v2"],"createdAt":"2026-04-20T10:00:00.000Z","updatedAt":"2026-04-21T08:30:00.000Z"}`...)
	return b
}

// AppendID appends AvatarID(i) without allocating.
func AppendID(b []byte, i int) []byte {
	b = append(b, "00000000-0000-4000-8000-000000000000"...)
	for j := len(b) - 1; i > 0; j-- {
		b[j] = byte('0' + i%10)
		i /= 10
	}
	return b
}

// AppendPage appends page `page` of perPage avatars out of total, with the
// spec's meta; slim avatars have only their ID.
func AppendPage(b []byte, total, page, perPage int, slim bool) []byte {
	last := (total + perPage - 1) / perPage
	b = append(b, `{"data":[`...)
	for i := (page-1)*perPage + 1; i <= min(page*perPage, total); i++ {
		if i > (page-1)*perPage+1 {
			b = append(b, ',')
		}
		if slim {
			b = append(AppendID(append(b, `{"id":"`...), i), `"}`...)
		} else {
			b = AppendAvatar(b, i)
		}
	}
	b = fmt.Appendf(b, `],"meta":{"total":%d,"lastPage":%d,"currentPage":%d,"perPage":%d,"prev":`, total, last, page, perPage)
	b = appendNullableInt(b, page-1, page > 1)
	b = append(b, `,"next":`...)
	b = appendNullableInt(b, page+1, page < last)
	return append(b, "}}\n"...)
}

func appendNullableInt(b []byte, n int, ok bool) []byte {
	if !ok {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// Avatars is a loopback stand-in for the avatar operations, built for
// measuring: it serves GET /v1/avatars/{id} (avatar 1 only) and
// GET /v1/avatars of Total avatars to requests with the Bearer key it was
// given, writes bodies from a pool of buffers (so that the server's own
// garbage stays small and constant), can wait Latency before answering,
// and counts requests and TCP connections.
type Avatars struct {
	*httptest.Server
	Total    int
	Latency  time.Duration
	Slim     bool         // list items with an ID only, for tests that walk many
	Requests atomic.Int64 // requests received
	Conns    atomic.Int64 // connections opened (http.StateNew)
	Peak     atomic.Int64 // the most requests received and not yet answered

	// Hook, when set, sees each list request first (page number from the
	// query) and may answer it itself by returning true. A request stays
	// in flight (see Peak) until the hook returns.
	Hook func(w http.ResponseWriter, r *http.Request, page int) bool

	key      string
	auth     string // "Bearer " + key, made once: the server's own garbage stays constant
	id       string // of the avatar served
	avatar   []byte
	inflight atomic.Int64 // requests received and not yet answered
}

var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

// NewAvatars starts an Avatars server of total avatars, closed when tb
// ends.
func NewAvatars(tb testing.TB, key string, total int, latency time.Duration) *Avatars {
	tb.Helper()
	f := &Avatars{Total: total, Latency: latency, key: key, auth: "Bearer " + key, id: AvatarID(1), avatar: append(AppendAvatar(nil, 1), '\n')}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.Conns.Add(1)
		}
	}
	f.Start()
	tb.Cleanup(f.Close)
	return f
}

func (f *Avatars) serve(w http.ResponseWriter, r *http.Request) {
	f.Requests.Add(1)
	n := f.inflight.Add(1)
	for p := f.Peak.Load(); n > p && !f.Peak.CompareAndSwap(p, n); p = f.Peak.Load() {
	}
	// A request is no longer in flight once the server starts answering
	// (f.answering): the client may send its next one as soon as it has
	// read the answer.
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			f.answering()
			return
		}
	}
	if r.Header.Get("Authorization") != f.auth {
		f.answering()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"Invalid API key"}`)
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/v1/avatars/"); ok {
		f.answering()
		w.Header().Set("Content-Type", "application/json")
		if id != f.id {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Avatar not found"}`)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(f.avatar)))
		_, _ = w.Write(f.avatar)
		return
	}
	q := r.URL.Query()
	page, perPage := atoiOr(q.Get("page"), 1), atoiOr(q.Get("perPage"), 10)
	if f.Hook != nil && f.Hook(w, r, page) {
		f.answering()
		return
	}
	f.answering()
	bp := bodyPool.Get().(*[]byte)
	*bp = AppendPage((*bp)[:0], f.Total, page, perPage, f.Slim)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(*bp)))
	_, _ = w.Write(*bp)
	bodyPool.Put(bp)
}

// Client returns a client of the SDK for the server, with its key, and
// opts.
func (f *Avatars) Client(tb testing.TB, opts ...api.Option) *api.Client {
	tb.Helper()
	c, err := api.NewClient(append([]api.Option{api.WithAPIKey(f.key), api.WithBaseURL(f.URL)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// answering marks a request as answered: it no longer counts as in flight.
func (f *Avatars) answering() { f.inflight.Add(-1) }

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
