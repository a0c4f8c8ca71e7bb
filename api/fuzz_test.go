package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/anam-ai/anam-go/api"
)

// Fuzz targets. Run each for a while with, e.g.:
//
//	go test ./api -run '^$' -fuzz '^FuzzDecodeAvatar$' -fuzztime 5s
//
// Without -fuzz, `go test` runs them on their seeds (and on any corpus
// under testdata/fuzz).

// doerFunc is an in-memory HttpRequestDoer.
type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }

// serveBody returns a client whose every request is answered with status,
// Content-Type application/json and body; retries are off.
func serveBody(t *testing.T, status int, body []byte) *api.Client {
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithMaxRetries(0),
		api.WithDoer(doerFunc(func(req *http.Request) (*http.Response, error) {
			return response(req, status, http.Header{"Content-Type": {"application/json"}}, io.NopCloser(strings.NewReader(string(body)))), nil
		})))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkError checks what every error the SDK returns must be: an *Error of
// bounded size, valid UTF-8, without the key.
func checkError(t *testing.T, err error, classes ...error) {
	t.Helper()
	var ae *api.Error
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want an *api.Error", err, err)
	}
	if len(classes) > 0 {
		matched := false
		for _, c := range classes {
			matched = matched || errors.Is(err, c)
		}
		if !matched {
			t.Fatalf("err = %v, want one of %v", err, classes)
		}
	}
	msg := err.Error()
	if len(ae.Body) > 1024+3 || len(ae.Message) > 512+3 || len(msg) > 2048 {
		t.Errorf("unbounded: Body %d, Message %d, Error() %d bytes", len(ae.Body), len(ae.Message), len(msg))
	}
	if !utf8.ValidString(ae.Message) || !utf8.ValidString(ae.Body) {
		t.Errorf("invalid UTF-8: %q / %q", ae.Message, ae.Body)
	}
	if strings.Contains(msg, testKey) {
		t.Errorf("the key in %q", msg)
	}
}

var avatarSeeds = []string{
	avatarJSON,
	`{"id":"00000000-0000-4000-8000-000000000001","videoUrl":null,"createdByOrganizationId":null}`,
	`{"availableVersions":["v1","v2"],"activeVersion":"v2","createdAt":"2026-04-20T10:00:00Z"}`,
	`{}`, `null`, `[]`, ``, `{"id":42}`, `{"createdAt":"yesterday"}`, `{"videoUrl":{"x":1}}`,
	`{"id":"` + strings.Repeat("\\u00e9", 50) + `"}`, "{\"displayName\":\"\xff\xfe\"}", `{"id":"x"}{"id":"y"}`,
}

// FuzzDecodeAvatar serves arbitrary bodies as a 200 to GetAvatar: it
// returns an avatar or an ErrDecode, never both, never neither, and never
// panics.
func FuzzDecodeAvatar(f *testing.F) {
	for _, s := range avatarSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := serveBody(t, 200, body).GetAvatar(context.Background(), knownID)
		if (a == nil) == (err == nil) {
			t.Fatalf("GetAvatar = %v, %v", a, err)
		}
		if err != nil {
			checkError(t, err, api.ErrDecode)
			return
		}
		if !json.Valid(body) {
			t.Errorf("invalid JSON %q decoded as %+v", body, a)
		}
	})
}

// FuzzDecodeAvatarList serves arbitrary bodies as a 200 to ListAvatars.
func FuzzDecodeAvatarList(f *testing.F) {
	seeds := []string{
		`{"data":[` + avatarJSON + `],"meta":{"total":1,"lastPage":1,"currentPage":1,"perPage":10,"prev":null,"next":null}}`,
		`{"data":[],"meta":{}}`, `{"data":null,"meta":null}`, `{"data":[{}],"meta":{"next":"2"}}`, `{"meta":{"total":0}}`,
		`{"data":[1,2],"meta":{}}`, `{"data":[],"meta":{"next":-1,"prev":1e3}}`, `{"data":{},"meta":[]}`,
	}
	for _, s := range append(seeds, avatarSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := serveBody(t, 200, body).ListAvatars(context.Background(), nil)
		if (p == nil) == (err == nil) {
			t.Fatalf("ListAvatars = %v, %v", p, err)
		}
		if err != nil {
			checkError(t, err, api.ErrDecode)
			return
		}
		if p.Items == nil {
			t.Errorf("a page without items: %+v", p)
		}
		p.Next() // must not panic
	})
}

// FuzzErrorBody serves arbitrary bodies with an error status: the error
// carries the status and a bounded, valid excerpt of the server's message.
func FuzzErrorBody(f *testing.F) {
	seeds := []string{
		`{"message":"Avatar not found"}`, `{"message":["a","b"]}`, `{"error":"Invalid API key"}`,
		`{"error":{"message":"nested"}}`, `{"message":null,"error":42}`, `<html>Bad Gateway</html>`, ``,
		strings.Repeat("x", 1500), `{"message":"` + strings.Repeat("é", 300) + `"}`, "\xff\xfe\xfd", `{"message":"Bearer ` + testKey + `"}`,
	}
	for i, s := range seeds {
		f.Add(uint16(400+i*17), []byte(s))
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		code := 400 + int(status)%200
		a, err := serveBody(t, code, body).GetAvatar(context.Background(), knownID)
		if a != nil || err == nil {
			t.Fatalf("status %d: GetAvatar = %v, %v", code, a, err)
		}
		checkError(t, err)
		var ae *api.Error
		errors.As(err, &ae)
		if ae.StatusCode != code || ae.Attempts != 1 {
			t.Errorf("StatusCode %d, Attempts %d; want %d, 1", ae.StatusCode, ae.Attempts, code)
		}
	})
}

// FuzzPaginationMeta serves pages whose meta comes from the fuzzer, to
// the ListAll iterator (sequential, and with pages requested ahead): it
// must end within a bounded number of requests, never yield an item twice
// and never panic. Pages 1 to full hold 3 items each; later pages are
// empty. script holds 6 bytes per request, each choosing how one field of
// meta is written (absent, null, right, off by some, out of range, of the
// wrong type).
func FuzzPaginationMeta(f *testing.F) {
	f.Add(uint8(3), uint8(1), []byte{})                                   // a well-behaved server
	f.Add(uint8(3), uint8(1), []byte{1, 0, 0, 0, 0, 0})                   // the same, with currentPage
	f.Add(uint8(5), uint8(3), []byte{})                                   // the same, with 3 pages ahead
	f.Add(uint8(4), uint8(1), []byte{1, 0, 3, 0xff, 1, 0})                // next going back
	f.Add(uint8(2), uint8(2), []byte{1, 0, 2, 0, 2, 0x80})                // lastPage negative
	f.Add(uint8(0), uint8(1), []byte{0, 0, 4, 0, 0, 0})                   // next huge, no data
	f.Add(uint8(9), uint8(4), []byte{2, 0, 5, 0, 3, 0, 1, 0, 2, 0, 1, 0}) // types wrong, then right
	f.Add(uint8(19), uint8(2), []byte{3, 3, 2, 0, 1, 0})                  // currentPage off
	f.Fuzz(func(t *testing.T, full, width uint8, script []byte) {
		pagesWithData := int(full % 20)
		n := 1 + int(width%4)
		limit := (pagesWithData + 32) * (n + 1)

		var mu sync.Mutex
		requests := 0
		doer := doerFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			requests++
			r := requests
			mu.Unlock()
			if r > limit {
				return nil, fmt.Errorf("request %d: over the limit of %d", r, limit)
			}
			page, _ := strconv.Atoi(req.URL.Query().Get("page"))
			body := fuzzPage(page, pagesWithData, script, r-1)
			return response(req, 200, http.Header{"Content-Type": {"application/json"}}, io.NopCloser(strings.NewReader(body))), nil
		})
		c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithDoer(doer), api.WithMaxRetries(0), api.WithPageConcurrency(n))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		var last error
		for a, err := range c.Avatars(context.Background(), &api.ListAvatarsParams{PerPage: new(3)}) {
			if err != nil {
				last = err
				if strings.Contains(err.Error(), "over the limit") {
					t.Fatalf("no end after %d requests: %v", limit, err)
				}
				if !errors.Is(err, api.ErrPagination) && !errors.Is(err, api.ErrDecode) {
					t.Fatalf("err = %v, want ErrPagination or ErrDecode", err)
				}
				break
			}
			if a.ID == nil || seen[*a.ID] {
				t.Fatalf("item %v yielded twice, or without an ID", a.ID)
			}
			seen[*a.ID] = true
		}
		if len(script) == 0 && (last != nil || len(seen) != 3*pagesWithData) {
			t.Fatalf("a well-behaved server: %d items of %d, err %v", len(seen), 3*pagesWithData, last)
		}
		mu.Lock()
		defer mu.Unlock()
		if requests > limit {
			t.Fatalf("%d requests, over %d", requests, limit)
		}
	})
}

// fuzzPage is page number page of a list with items on pages 1 to full,
// with meta written as script says for the nth request.
func fuzzPage(page, full int, script []byte, n int) string {
	b := func(i int) byte {
		if k := n*6 + i; k < len(script) {
			return script[k]
		}
		return 0
	}
	var items []string
	if page >= 1 && page <= full {
		for i := range 3 {
			items = append(items, fmt.Sprintf(`{"id":"p%d-%d","displayName":"x"}`, page, i))
		}
	}
	field := func(name string, mode byte, right int, off byte) string {
		switch mode % 6 {
		case 0:
			return ""
		case 1:
			return fmt.Sprintf(`,%q:%d`, name, right)
		case 2:
			return fmt.Sprintf(`,%q:null`, name)
		case 3:
			return fmt.Sprintf(`,%q:%d`, name, right+int(int8(off)))
		case 4:
			return fmt.Sprintf(`,%q:%d`, name, int64(1)<<(40+off%23))
		default:
			return fmt.Sprintf(`,%q:"%d"`, name, right)
		}
	}
	// For next and lastPage, a zero byte means "right", as the server
	// writes them; the right next is null on the last page.
	next := field("next", b(2)+1, page+1, b(3))
	if (b(2)+1)%6 == 1 && page >= full {
		next = `,"next":null`
	}
	meta := `"total":` + strconv.Itoa(3*full) + `,"perPage":3` +
		field("currentPage", b(0), page, b(1)) + next +
		field("lastPage", b(4)+1, max(full, 1), b(5))
	return `{"data":[` + strings.Join(items, ",") + `],"meta":{` + meta + `}}`
}
