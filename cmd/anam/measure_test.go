package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestMeasureListAll measures `anam avatars list --all --json` against a
// loopback server that generates pages of 100 items on the fly: peak heap
// for 10,000 to 1,000,000 items (it should be flat: the walk holds at most
// concurrency+1 pages), and the walk time at --concurrency 8 against the
// physical limit, pages x latency / 8 + one page. It is a measurement, not
// an assertion of timing: run it with ANAM_CLI_MEASURE=1 and read the log.
func TestMeasureListAll(t *testing.T) {
	if os.Getenv("ANAM_CLI_MEASURE") == "" {
		t.Skip("set ANAM_CLI_MEASURE=1 to measure --all memory and time")
	}
	var rows []string
	rows = append(rows, "items | pages | latency/page | wall time | physical limit | peak heap (MiB) | heap after (MiB)")
	for _, tc := range []struct {
		items   int
		latency time.Duration
	}{
		{10_000, 0}, {100_000, 0}, {1_000_000, 0},
		{10_000, 20 * time.Millisecond}, {100_000, 5 * time.Millisecond},
	} {
		ps := newPageServer(t, tc.items, tc.latency, nil)
		pages := (tc.items + 99) / 100
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		var lines countingWriter
		start := time.Now()
		code := run(t.Context(), append([]string{"--json"}, words(pick(t, "paginated list", pagedList), "--all", "--concurrency", "8")...),
			testEnv(ps.env(), strings.NewReader(""), &lines, io.Discard))
		wall := time.Since(start)
		close(stop)
		<-sampled
		if code != 0 || lines.n != tc.items {
			t.Fatalf("%d items: exit %d, %d lines", tc.items, code, lines.n)
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		limit := "-"
		if tc.latency > 0 {
			limit = (time.Duration(pages)*tc.latency/8 + tc.latency).Round(time.Millisecond).String()
		}
		rows = append(rows, fmt.Sprintf("%d | %d | %s | %s | %s | %.1f | %.1f", tc.items, pages, tc.latency, wall.Round(time.Millisecond), limit,
			float64(peak.Load())/(1<<20), float64(ms.HeapAlloc)/(1<<20)))
	}
	t.Log("\n" + strings.Join(rows, "\n"))
}

// countingWriter counts lines and keeps nothing.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			w.n++
		}
	}
	return len(p), nil
}
