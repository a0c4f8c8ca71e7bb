package bench_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// envBin names the directory of the binaries BenchmarkStartUp runs, which
// benchrun builds: hello (a hello-world), hello-nethttp (one that links
// net/http, the floor of any HTTPS client; -static: with CGO_ENABLED=0),
// anam (cmd/anam as users build it), anam-lean (-tags anam_nofake) and
// anam-lean-static (the same with CGO_ENABLED=0).
const envBin = "ANAM_BENCH_BIN"

// BenchmarkStartUp runs whole processes, one per op: the hello-worlds, and
// anam's --version, help at its three levels, the README's first command
// (--fake avatars list: the built-in fake started in process, then the
// call) and the lean builds' --version. cpu-sec/op is the child's CPU time
// (user and system).
func BenchmarkStartUp(b *testing.B) {
	dir := os.Getenv(envBin)
	if dir == "" {
		b.Skip(envBin + " is not set: run make bench (bench/cmd/benchrun builds the binaries)")
	}
	config := b.TempDir()
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"hello-world", []string{"hello"}},
		{"hello-nethttp", []string{"hello-nethttp"}},
		{"hello-nethttp-static", []string{"hello-nethttp-static"}},
		{"version", []string{"anam", "--version"}},
		{"help", []string{"anam", "--help"}},
		{"group-help", []string{"anam", "avatars", "--help"}},
		{"command-help", []string{"anam", "avatars", "list", "--help"}},
		{"fake-list", []string{"anam", "--fake", "avatars", "list"}},
		{"lean-version", []string{"anam-lean", "--version"}},
		{"lean-static-version", []string{"anam-lean-static", "--version"}},
	} {
		b.Run("cmd="+c.name, func(b *testing.B) {
			bin := filepath.Join(dir, c.argv[0])
			if _, err := os.Stat(bin); err != nil {
				b.Skip(err)
			}
			devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer devnull.Close()
			env := append(os.Environ(), "ANAM_CONFIG_DIR="+config, "ANAM_API_KEY=", "ANAM_BASE_URL=")
			run := func() time.Duration {
				cmd := exec.Command(bin, c.argv[1:]...)
				cmd.Env, cmd.Stdout, cmd.Stderr = env, devnull, devnull
				if err := cmd.Run(); err != nil {
					b.Fatalf("%v: %v", c.argv, err)
				}
				return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			run() // warm the page cache
			var cpu time.Duration
			for b.Loop() {
				cpu += run()
			}
			reportCPU(b, cpu)
		})
	}
}
