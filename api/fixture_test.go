package api_test

import (
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/loopback"
)

// fixture is the loopback avatar server the benchmarks measure against
// (internal/loopback), for the tests that count requests, connections and
// memory.
type fixture struct{ *loopback.Avatars }

func newFixture(tb testing.TB, total int, latency time.Duration) *fixture {
	tb.Helper()
	return &fixture{loopback.NewAvatars(tb, testKey, total, latency)}
}

func (f *fixture) client(tb testing.TB, opts ...api.Option) *api.Client {
	tb.Helper()
	c, err := api.NewClient(append([]api.Option{api.WithAPIKey(testKey), api.WithBaseURL(f.URL)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
