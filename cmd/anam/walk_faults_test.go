package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// These tests hold the command line to the SDK's guarantees: --all walks
// the pages with api's one walker (the checks, the prefetch and the 404
// rule of the typed iterators), and a single result is checked as a typed
// result is. Every failure ends with exit 1 and a message saying where
// the walk stopped and why, after the items that arrived; a single result
// that is not what the spec documents prints nothing on stdout.

// scriptedPages is a list server whose answer for each page number a test
// writes; it counts the requests.
type scriptedPages struct {
	*httptest.Server
	requests atomic.Int64
}

// page answers a page request: status, Content-Type and body.
type pageAnswer struct {
	status      int
	contentType string
	body        string
}

func newScriptedPages(t *testing.T, answer func(page int) pageAnswer) *scriptedPages {
	t.Helper()
	s := &scriptedPages{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil {
			page = 1
		}
		a := answer(page)
		if a.contentType == "" {
			a.contentType = "application/json"
		}
		w.Header().Set("Content-Type", a.contentType)
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedPages) env(t *testing.T) map[string]string {
	return map[string]string{"ANAM_API_KEY": "sk-walk-test-0123456789", "ANAM_BASE_URL": s.URL, envConfigDir: t.TempDir()}
}

// itemsOf are n JSON items whose IDs say their page and place.
func itemsOf(page, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"id":"p%d-%d"}`, page, i)
	}
	return out
}

// metaPage is a page with the given meta fields (JSON members, without
// braces).
func metaPage(items []string, meta string) string {
	return `{"data":[` + strings.Join(items, ",") + `],"meta":{` + meta + `}}`
}

func okPage(body string) pageAnswer { return pageAnswer{status: 200, body: body} }

// lines are the lines of the --json output.
func lines(stdout string) []string {
	stdout = strings.TrimSuffix(stdout, "\n")
	if stdout == "" {
		return nil
	}
	return strings.Split(stdout, "\n")
}

func TestAllFaultsEndWithExit1AndWhere(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	notFound := pageAnswer{status: 404, body: `{"message":"Avatars not found"}`}
	cases := []struct {
		name   string
		answer func(page int) pageAnswer
		items  int      // items printed before the error
		where  []string // what stderr says, besides "anam:"
		most   int64    // the most requests allowed (0: no bound checked)
	}{
		{
			name: "a 404 on page 3 of 5",
			answer: func(p int) pageAnswer {
				if p == 3 {
					return notFound
				}
				return okPage(pageOf(itemsOf(p, 2), p, 5, 10))
			},
			items: 4, where: []string{"page 3", "404"},
		},
		{
			name: "a wrong base URL: the framework's Cannot GET",
			answer: func(int) pageAnswer {
				return pageAnswer{status: 404, body: `{"message":"Cannot GET /v1/avatars","error":"Not Found","statusCode":404}`}
			},
			items: 0, where: []string{"page 1", "404", "Cannot GET"},
		},
		{
			name: "lastPage 1e18 with empty pages",
			answer: func(p int) pageAnswer {
				return okPage(metaPage(nil, fmt.Sprintf(`"total":1,"currentPage":%d,"lastPage":1000000000000000000,"next":%d`, p, p+1)))
			},
			items: 0, where: []string{"empty pages in a row", "inconsistent pagination"}, most: 40,
		},
		{
			name: "a server that ignores page",
			answer: func(int) pageAnswer {
				return okPage(pageOf(itemsOf(1, 3), 1, 4, 12))
			},
			items: 3, where: []string{"asked for page 2", "answered with page 1"},
		},
		{
			name: "a server that ignores page and sends neither currentPage nor next",
			answer: func(int) pageAnswer {
				return okPage(metaPage(itemsOf(1, 3), `"total":12,"lastPage":4`))
			},
			items: 3, where: []string{"page 2", "same", "page 1"},
		},
		{
			name: "a 404 on page 4 of 10",
			answer: func(p int) pageAnswer {
				if p == 4 {
					return notFound
				}
				return okPage(pageOf(itemsOf(p, 10), p, 10, 100))
			},
			items: 30, where: []string{"page 4", "404"},
		},
		{
			name: "a page that is not JSON",
			answer: func(p int) pageAnswer {
				if p == 2 {
					return pageAnswer{status: 200, contentType: "text/html", body: "<html>gateway</html>"}
				}
				return okPage(pageOf(itemsOf(p, 2), p, 3, 6))
			},
			items: 2, where: []string{"page 2", "unexpected response body"},
		},
		{
			name: "a null item on page 2",
			answer: func(p int) pageAnswer {
				if p == 2 {
					return okPage(pageOf([]string{`{"id":"a"}`, "null"}, p, 3, 6))
				}
				return okPage(pageOf(itemsOf(p, 2), p, 3, 6))
			},
			items: 2, where: []string{"page 2", "item 1", "null"},
		},
	}
	for _, tc := range cases {
		for _, conc := range []string{"1", "4"} {
			t.Run(tc.name+"/concurrency "+conc, func(t *testing.T) {
				s := newScriptedPages(t, tc.answer)
				r := cli(t, s.env(t), "", append([]string{"--json"}, words(list, "--all", "--concurrency", conc)...)...)
				mustExit(t, r, exitFailed)
				t.Log(r.stderr)
				got := lines(r.stdout)
				if len(got) != tc.items {
					t.Errorf("%d items printed, want the %d that arrived before the failure:\n%s", len(got), tc.items, r.stdout)
				}
				for _, w := range tc.where {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
					}
				}
				if tc.most > 0 && s.requests.Load() > tc.most {
					t.Errorf("%d requests, want at most %d", s.requests.Load(), tc.most)
				}
			})
		}
	}
}

// A list whose lastPage grows while it is walked (items are added) is
// followed to its end, each page's meta read as it comes: every item, once,
// exit 0. The walker of old trusted page 1's meta and stopped early.
func TestAllFollowsAGrowingList(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	s := newScriptedPages(t, func(p int) pageAnswer {
		next := strconv.Itoa(p + 1)
		if p == 6 {
			next = "null"
		}
		return okPage(metaPage(itemsOf(p, 2), fmt.Sprintf(`"total":%d,"currentPage":%d,"lastPage":%d,"next":%s`, 2*min(p+1, 6), p, min(p+1, 6), next)))
	})
	for _, conc := range []string{"1", "4"} {
		r := cli(t, s.env(t), "", append([]string{"--json"}, words(list, "--all", "--concurrency", conc)...)...)
		mustExit(t, r, exitOK)
		got := lines(r.stdout)
		if len(got) != 12 {
			t.Fatalf("concurrency %s: %d items, want 12:\n%s", conc, len(got), r.stdout)
		}
		for i, l := range got {
			if want := fmt.Sprintf(`"p%d-%d"`, i/2+1, i%2); !strings.Contains(l, want) {
				t.Errorf("concurrency %s: item %d is %s, want %s", conc, i, l, want)
			}
		}
	}
}

// A single result is checked against what the spec documents for its
// status, as a typed result is; one that is not prints nothing on stdout
// and exits 1.
func TestSingleResultIsChecked(t *testing.T) {
	get := pick(t, "get by UUID", uuidGet)
	list := pick(t, "paginated list", pagedList)
	cases := []struct {
		name   string
		words  []string
		answer pageAnswer
		says   string
	}{
		{"a 200 text/html gateway page", words(get, someID), pageAnswer{200, "text/html", "<html>\x1b[31mgateway\x1b[0m</html>"}, "text/html"},
		{"an empty 200", words(get, someID), pageAnswer{200, "application/json", ""}, "empty"},
		{"a 200 JSON array where an object is documented", words(get, someID), pageAnswer{200, "", `[{"id":"a"}]`}, "object"},
		{"a 200 with truncated JSON", words(get, someID), pageAnswer{200, "", `{"id":"a"`}, "JSON"},
		{"a 200 null", words(get, someID), pageAnswer{200, "", `null`}, "object"},
		{"a list page holding a null item", words(list), pageAnswer{200, "", pageOf([]string{`{"id":"a"}`, "null"}, 1, 1, 2)}, "item 1"},
		{"a list page without data", words(list), pageAnswer{200, "", `{"meta":{}}`}, "data"},
	}
	for _, tc := range cases {
		for _, mode := range [][]string{{"--json"}, nil, {"--jq", "."}} {
			t.Run(fmt.Sprintf("%s/%v", tc.name, mode), func(t *testing.T) {
				s := newScriptedPages(t, func(int) pageAnswer { return tc.answer })
				r := cli(t, s.env(t), "", append(mode, tc.words...)...)
				mustExit(t, r, exitFailed)
				t.Log(r.stderr)
				if r.stdout != "" {
					t.Errorf("stdout %q, want nothing", r.stdout)
				}
				if !strings.Contains(r.stderr, "unexpected response body") || !strings.Contains(r.stderr, tc.says) {
					t.Errorf("stderr does not say %q (and ErrDecode's words):\n%s", tc.says, r.stderr)
				}
				if strings.Contains(r.stderr, "\x1b") {
					t.Errorf("stderr has an ESC: %q", r.stderr)
				}
				if n := s.requests.Load(); n != 1 {
					t.Errorf("%d requests: a body that is not the documented JSON is not retried", n)
				}
			})
		}
	}
}
