package anamtest_test

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/anam-ai/anam-go/api/anamtest"
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

func BenchmarkGetAvatar(b *testing.B) {
	srv := anamtest.NewServer()
	defer srv.Close()
	benchGet(b, srv, "/v1/avatars/"+livID)
}

// BenchmarkListAvatars pages through 1000 avatars, 100 at a time.
func BenchmarkListAvatars(b *testing.B) {
	srv := anamtest.NewServer(anamtest.WithItems(999))
	defer srv.Close()
	var paths []string
	for page := 1; page <= 10; page++ {
		paths = append(paths, fmt.Sprintf("/v1/avatars?perPage=100&page=%d", page))
	}
	benchGet(b, srv, paths...)
}

// BenchmarkNewServer measures starting a server with 100 generated items
// per collection.
func BenchmarkNewServer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		anamtest.NewServer(anamtest.WithItems(100)).Close()
	}
}
