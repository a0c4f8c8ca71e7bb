package bench_test

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The benchmarks of this module compare the SDK with what a careful
// engineer writes by hand with net/http and encoding/json, and with a
// plain oapi-codegen client (package oapigen, generated here for the
// benchmark only: `go generate` in this module); they measure concurrent
// paging against its physical limit, decoding strategies, and the
// command line's start-up. Run them all with `make bench`, which runs
// ./cmd/benchrun: it builds this test binary once, runs it in several
// rounds, rotating the order of the implementations from round to round,
// and prints benchstat tables. One round by hand:
//
//	cd bench && go generate ./... && go test -run '^$' -bench . -benchmem
//
// (the start-up benchmarks need the binaries benchrun builds, and skip
// without them). This module is not the SDK's: nothing of it ships.
//
// Fairness:
//   - every network benchmark calls one loopback server in another
//     process (server_test.go), so that B/op, allocs/op and cpu-sec/op
//     are the client's own;
//   - the in-process benchmarks (inprocess_test.go) give every client the
//     same *http.Client on net/http's own Transport, dialling an
//     in-memory connection to a responder that writes one canned response
//     without copying it or allocating;
//   - the implementations run in a different order in each round
//     (envRound), each after a warm-up of its own.

// envRound is the round number benchrun gives each run: it rotates the
// order in which the implementations of a benchmark run.
const envRound = "ANAM_BENCH_ROUND"

const testKey = "sk-bench-0123456789abcdef"

func TestMain(m *testing.M) {
	if os.Getenv(envServe) == "1" {
		serveMain()
		return
	}
	code := m.Run()
	stopServer()
	os.Exit(code)
}

// cpuTime returns the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op under b.Loop and reports the CPU time (user and system,
// every thread of the process, the garbage collector's included) per op
// as cpu-sec/op, next to the wall time of sec/op.
func loop(b *testing.B, op func()) {
	b.Helper()
	start := cpuTime()
	for b.Loop() {
		op()
	}
	reportCPU(b, cpuTime()-start)
}

func reportCPU(b *testing.B, cpu time.Duration) {
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-sec/op")
}

// impl is one implementation of a benchmark: warm runs it a few times
// before it is measured, run measures it.
type impl struct {
	name string
	run  func(b *testing.B)
}

// runImpls runs each implementation as a sub-benchmark impl=<name>,
// starting with a different one in each round.
func runImpls(b *testing.B, impls ...impl) {
	b.Helper()
	r, _ := strconv.Atoi(os.Getenv(envRound))
	for i := range impls {
		x := impls[(i+r)%len(impls)]
		b.Run("impl="+x.name, x.run)
	}
}

// warm calls op n times, failing b at the first error: a warm-up before
// the measured loop, so that no implementation pays for a cold
// connection pool or cold code.
func warm(b *testing.B, n int, op func() error) {
	b.Helper()
	for range n {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}
