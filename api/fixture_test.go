package api_test

import (
	"testing"
	"time"

	"github.com/anam-ai/anam-go/internal/loopback"
)

// fixture is the loopback avatar server of internal/loopback.
type fixture = loopback.Avatars

func newFixture(tb testing.TB, total int, latency time.Duration) *fixture {
	tb.Helper()
	return loopback.NewAvatars(tb, testKey, total, latency)
}
