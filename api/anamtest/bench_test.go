package anamtest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/specload"
	"github.com/anam-ai/anam-go/spec"
)

// benchGet measures GETs of the paths, round robin, from parallel clients.
func benchGet(b *testing.B, srv *anamtest.Server, paths ...string) {
	client := srv.Client()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			path := paths[int(next.Add(1))%len(paths)]
			req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+srv.APIKey())
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("GET %s: %s", path, resp.Status)
				return
			}
		}
	})
}

func BenchmarkGetItem(b *testing.B) {
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()))
	defer srv.Close()
	benchGet(b, srv, widgets+"/"+exampleID)
}

// BenchmarkList pages through 1000 items, 25 at a time.
func BenchmarkList(b *testing.B) {
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()), anamtest.WithItems(999))
	defer srv.Close()
	var paths []string
	for page := 1; page <= 40; page++ {
		paths = append(paths, fmt.Sprintf("%s?perPage=25&page=%d", widgets, page))
	}
	benchGet(b, srv, paths...)
}

// BenchmarkNewServer measures starting a server of the embedded spec and
// listing one collection, against httptest.NewServer as the baseline:
// with the spec's examples only (default), with 42 and 250 generated
// items per collection, and cold: on a document no server has served yet,
// so that what the fake infers and compiles from it is paid again (its
// loading is not counted). What NewServer no longer does (every
// collection's items, every schema's validator) is paid for the
// collections a test touches, on first use: the list does it for one.
func BenchmarkNewServer(b *testing.B) {
	doc, err := specload.Load()
	if err != nil {
		b.Fatal(err)
	}
	collection := ""
	probe := anamtest.NewServer(anamtest.WithSpec(doc))
	for _, c := range probe.Collections() {
		if len(probe.Items(c)) > 0 {
			collection = c
			break
		}
	}
	probe.Close()
	list := func(b *testing.B, srv *anamtest.Server) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+collection, nil)
		req.Header.Set("Authorization", "Bearer "+srv.APIKey())
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %s", collection, resp.Status)
		}
	}
	b.Run("httptest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			srv := httptest.NewServer(http.NotFoundHandler())
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			srv.Close()
		}
	})
	for _, n := range []int{0, 42, 250} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				srv := anamtest.NewServer(anamtest.WithSpec(doc), anamtest.WithItems(n))
				list(b, srv)
				srv.Close()
			}
		})
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			fresh, err := specload.LoadBytes(spec.Prepared, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			srv := anamtest.NewServer(anamtest.WithSpec(fresh), anamtest.WithItems(42))
			list(b, srv)
			srv.Close()
		}
	})
}
