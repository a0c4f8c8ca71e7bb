package api_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anam-ai/anam-go/api"
)

func TestMain(m *testing.M) {
	// Tests that talk to a real loopback server cannot fake time, and many
	// provoke retries: their clients back off for milliseconds, not seconds.
	// Tests of the backoff itself run in synctest bubbles, with
	// api.WithRealBackoff().
	api.SetDefaultBackoff(time.Millisecond, 10*time.Millisecond)
	goleak.VerifyTestMain(m)
}
