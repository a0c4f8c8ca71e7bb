// Command benchrun runs the SDK's benchmarks as `make bench` does: it
// builds the benchmark binary of this module (and the binaries the
// start-up benchmarks run) once, runs it in several rounds, each a fresh
// process whose implementations run in a different order (ANAM_BENCH_ROUND),
// and prints benchstat tables of the results and a summary of the
// targets of issue 21. Run it from the bench directory:
//
//	go generate ./... && go run ./cmd/benchrun [flags]
//
// With -base REF it also builds this module's benchmarks against the
// SDK at git revision REF (the same benchmark code, the SDK of REF) and
// runs both builds in every round, for before/after tables of the same
// run; a REF whose SDK the benchmarks do not build against (one from
// before internal/loopback, say) has its command line's start-up
// compared only. With -jsonv2 it also runs the decoding and in-process benchmarks
// of a build made with GOEXPERIMENT=jsonv2. The raw results are kept in
// the -out directory (results.txt), for benchstat.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"
)

func main() {
	var (
		rounds    = flag.Int("rounds", 8, "rounds: each runs every benchmark once, in a fresh process")
		benchtime = flag.String("benchtime", "500ms", "-test.benchtime of each benchmark")
		bench     = flag.String("bench", ".", "-test.bench: the benchmarks to run")
		base      = flag.String("base", "", "a git revision of the SDK to compare with, in the same run")
		jsonv2    = flag.Bool("jsonv2", false, "also run the decoding and in-process benchmarks of a GOEXPERIMENT=jsonv2 build")
		memory    = flag.Bool("memory", true, "also run api's BenchmarkWalkMemory (once, -count 3)")
		out       = flag.String("out", filepath.Join(os.TempDir(), "anam-bench"), "directory for the builds and results.txt")
	)
	flag.Parse()
	if err := run(*rounds, *benchtime, *bench, *base, *jsonv2, *memory, *out); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

// A build is one benchmark binary and the binaries its start-up
// benchmarks run; label names it in the results (the "build" key).
type build struct {
	label string
	test  string // the benchmark binary
	bin   string // the directory of ANAM_BENCH_BIN
	bench string // -test.bench for it
}

func run(rounds int, benchtime, benchRE, base string, jsonv2, memory bool, out string) error {
	benchDir, err := os.Getwd()
	if err != nil {
		return err
	}
	root := filepath.Dir(benchDir)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil || filepath.Base(benchDir) != "bench" {
		return errors.New("run benchrun from the repository's bench directory (make bench does)")
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	start := time.Now()

	// The hello-worlds every build's start-up benchmarks share.
	common := filepath.Join(out, "common")
	if err := writeHellos(common); err != nil {
		return err
	}

	var builds []build
	head, err := buildTree("head", out, root, benchDir, common, nil, benchRE, "")
	if err != nil {
		return err
	}
	builds = append(builds, head)
	if base != "" {
		src := filepath.Join(out, "base-src")
		if err := checkout(root, base, src); err != nil {
			return err
		}
		// This module's benchmark code, on the SDK of REF.
		if err := copyBench(benchDir, filepath.Join(src, "bench")); err != nil {
			return err
		}
		// Its go.sum may need the sums of REF's dependencies.
		b, err := buildTree("base", out, src, filepath.Join(src, "bench"), common, []string{"GOFLAGS=-mod=mod"}, benchRE, head.test)
		if err != nil {
			return fmt.Errorf("building the benchmarks against %s: %w", base, err)
		}
		builds = append(builds, b)
	}
	if jsonv2 {
		b, err := buildTree("jsonv2", out, root, benchDir, common, []string{"GOEXPERIMENT=jsonv2"}, "DecodePage|InProcess", "")
		if err != nil {
			return err
		}
		builds = append(builds, b)
	}
	var api string
	if memory {
		api = filepath.Join(out, "head", "api.test")
		if err := goCmd(root, nil, "test", "-c", "-o", api, "./api"); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "benchrun: built in %v\n", time.Since(start).Round(time.Second))

	results := filepath.Join(out, "results.txt")
	f, err := os.Create(results)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "date: %s\nmachine: %s\n", time.Now().UTC().Format("2006-01-02"), machine())
	for r := range rounds {
		for i := range builds {
			b := builds[(i+r)%len(builds)]
			fmt.Fprintf(os.Stderr, "benchrun: round %d/%d, %s\n", r+1, rounds, b.label)
			args := []string{"-test.run=^$", "-test.bench=" + b.bench, "-test.benchmem", "-test.count=1", "-test.benchtime=" + benchtime}
			env := []string{fmt.Sprintf("ANAM_BENCH_ROUND=%d", r), "ANAM_BENCH_BIN=" + b.bin}
			if err := runBench(w, b.label, b.test, filepath.Dir(b.test), env, args); err != nil {
				return err
			}
		}
	}
	if memory {
		fmt.Fprintf(os.Stderr, "benchrun: api BenchmarkWalkMemory\n")
		args := []string{"-test.run=^$", "-test.bench=WalkMemory", "-test.count=3", "-test.benchtime=1x"}
		if err := runBench(w, "head", api, filepath.Join(root, "api"), nil, args); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchrun: ran in %v; results in %s\n", time.Since(start).Round(time.Second), results)
	return report(benchDir, results, base != "", jsonv2, memory)
}

// buildTree builds the benchmark binary of benchDir (a bench module whose
// SDK is root) and root's cmd/anam into out/label.
//
// If fallback names a benchmark binary, a bench module that does not build
// against root (an SDK too old for its code) is not an error: the build
// runs fallback's start-up benchmarks on root's binaries instead.
func buildTree(label, out, root, benchDir, common string, env []string, benchRE, fallback string) (build, error) {
	dir := filepath.Join(out, label)
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return build{}, err
	}
	b := build{label: label, test: filepath.Join(dir, "bench.test"), bin: bin, bench: benchRE}
	fmt.Fprintf(os.Stderr, "benchrun: building %s\n", label)
	if err := goCmd(benchDir, env, "generate", "./..."); err != nil && fallback == "" {
		return b, err
	}
	if err := goCmd(benchDir, env, "test", "-c", "-o", b.test, "."); err != nil {
		if fallback == "" {
			return b, err
		}
		fmt.Fprintf(os.Stderr, "benchrun: the benchmarks do not build against %s (%v); it runs the start-up benchmarks only\n", label, firstLine(err))
		b.test, b.bench = fallback, "StartUp"
	}
	if err := goCmd(root, env, "build", "-o", filepath.Join(bin, "anam"), "./cmd/anam"); err != nil {
		return b, err
	}
	if err := goCmd(root, env, "build", "-tags", "anam_nofake", "-o", filepath.Join(bin, "anam-lean"), "./cmd/anam"); err != nil {
		return b, err
	}
	if err := goCmd(root, append(env, "CGO_ENABLED=0"), "build", "-tags", "anam_nofake", "-o", filepath.Join(bin, "anam-lean-static"), "./cmd/anam"); err != nil {
		return b, err
	}
	for _, h := range []string{"hello", "hello-nethttp", "hello-nethttp-static"} {
		if err := os.Symlink(filepath.Join(common, h), filepath.Join(bin, h)); err != nil {
			return b, err
		}
	}
	return b, nil
}

// writeHellos builds the hello-world binaries into dir.
func writeHellos(dir string) error {
	for name, src := range map[string]string{
		"hello": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n",
		"hello-nethttp": `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) > 1 {
		_, _ = http.Get(os.Args[1])
	}
	fmt.Println("hello, world")
}
`,
	} {
		srcDir := filepath.Join(dir, "src-"+name)
		if err := os.MkdirAll(srcDir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(srcDir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(srcDir, "main.go"), []byte(src), 0o644); err != nil {
			return err
		}
		if err := goCmd(srcDir, nil, "build", "-o", filepath.Join(dir, name), "."); err != nil {
			return err
		}
		if name == "hello-nethttp" {
			if err := goCmd(srcDir, []string{"CGO_ENABLED=0"}, "build", "-o", filepath.Join(dir, name+"-static"), "."); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkout writes the tree of git revision rev of the repository at root
// into dir.
func checkout(root, rev, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	archive := exec.Command("git", "-C", root, "archive", rev)
	untar := exec.Command("tar", "-x", "-C", dir)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	archive.Stderr, untar.Stderr = os.Stderr, os.Stderr
	if err := untar.Start(); err != nil {
		return err
	}
	if err := archive.Run(); err != nil {
		return fmt.Errorf("git archive %s: %w", rev, err)
	}
	return untar.Wait()
}

// copyBench replaces the bench module in dir by the one in src (its Go
// files, go.mod, go.sum and generator configuration; not oapigen/).
func copyBench(src, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel == "oapigen" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		switch filepath.Ext(p) {
		case ".go", ".mod", ".sum", ".yaml":
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
}

// firstLine is the first line of err's text.
func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

func goCmd(dir string, env []string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// runBench runs a benchmark binary and appends its results to w, labelled
// with build: label.
func runBench(w io.Writer, label, test, dir string, env, args []string) error {
	cmd := exec.Command(test, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", test, strings.Join(args, " "), err, stdout.Bytes())
	}
	fmt.Fprintf(w, "build: %s\n", label)
	for line := range strings.SplitSeq(stdout.String(), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "pkg:") {
			fmt.Fprintln(w, line)
		}
	}
	return nil
}

func machine() string {
	cpu := "?"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(data); m != nil {
			cpu = string(m[1])
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s), %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, runtime.Version())
}

// report prints the benchstat tables and the summary.
func report(benchDir, results string, base, jsonv2, memory bool) error {
	type table struct {
		title string
		args  []string
	}
	tables := []table{
		{"Calls: the SDK, hand-written net/http (io.ReadAll + json.Unmarshal) and oapi-codegen's client; loopback server in another process, and in process (in-memory connection, net/http's Transport)",
			[]string{"-filter", "build:head -.name:(Walk OR WalkMemory OR DecodePage OR StartUp)", "-col", "/impl"}},
		{"Walks: 100 pages x 100 items; x-limit is the wall time over (1 + ceil(99/c)) x latency",
			[]string{"-filter", "build:head .name:Walk", "-col", "/impl"}},
		{"Decoding a page of 100 avatars (44 KB) in memory, by strategy (see bench/decode_test.go)",
			[]string{"-filter", ".name:DecodePage build:(head OR jsonv2)", "-row", "/dec", "-col", "build"}},
		{"Start-up, one process per op (cpu-sec/op: the child's)",
			[]string{"-filter", "build:head .name:StartUp .unit:(sec/op OR cpu-sec/op)", "-row", "/cmd", "-col", "build"}},
	}
	if base {
		tables = append(tables, table{"Before (base) and after (head), same run: the SDK's rows",
			[]string{"-filter", "build:(base OR head) -/impl:(nethttp OR oapi-codegen) -.name:DecodePage -(.name:StartUp .unit:(B/op OR allocs/op))", "-col", "build"}})
	}
	if jsonv2 {
		tables = append(tables, table{"GOEXPERIMENT=jsonv2 (jsonv2) against the default toolchain (head), in process",
			[]string{"-filter", "build:(head OR jsonv2) .name:InProcess", "-col", "build"}})
	}
	if memory {
		tables = append(tables, table{"Peak live heap of a walk (api BenchmarkWalkMemory)",
			[]string{"-filter", ".name:WalkMemory .unit:(peak-live-B OR peak-pages)"}})
	}
	for _, t := range tables {
		fmt.Printf("\n### %s\n\n", t.title)
		cmd := exec.Command("go", append(append([]string{"tool", "benchstat", "-table", ".config", "-ignore", "date,machine,pkg"}, t.args...), results)...)
		cmd.Dir = benchDir
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("benchstat: %w", err)
		}
	}
	return summary(results)
}

// summary prints the targets of issue 21 from the medians of the results.
func summary(results string) error {
	f, err := os.Open(results)
	if err != nil {
		return err
	}
	defer f.Close()
	samples := map[string][]float64{} // build|fullname|unit -> values
	r := benchfmt.NewReader(f, results)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		build := string(res.GetConfig("build"))
		name := procs.ReplaceAllString(string(res.Name.Full()), "")
		for _, v := range res.Values {
			val, unit := v.Value, v.Unit
			if unit == "ns/op" {
				val, unit = val/1e9, "sec/op"
			}
			k := build + "|" + name + "|" + unit
			samples[k] = append(samples[k], val)
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	med := func(build, name, unit string) float64 {
		s := slices.Clone(samples[build+"|"+name+"|"+unit])
		if len(s) == 0 {
			return math.NaN()
		}
		slices.Sort(s)
		return s[len(s)/2]
	}
	var names []string
	seen := map[string]bool{}
	for k := range samples {
		_, rest, _ := strings.Cut(k, "|")
		name, _, _ := strings.Cut(rest, "|")
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	slices.SortFunc(names, cmp.Compare)
	var builds []string
	for _, b := range []string{"base", "head", "jsonv2"} {
		for k := range samples {
			if strings.HasPrefix(k, b+"|") {
				builds = append(builds, b)
				break
			}
		}
	}

	fmt.Printf("\n### Summary (medians)\n")
	for _, b := range builds {
		fmt.Printf("\n%s:\n\n", b)
		// Start-up.
		hello, version := med(b, "StartUp/cmd=hello-world", "sec/op"), med(b, "StartUp/cmd=version", "sec/op")
		helloCPU, versionCPU := med(b, "StartUp/cmd=hello-world", "cpu-sec/op"), med(b, "StartUp/cmd=version", "cpu-sec/op")
		if !math.IsNaN(version) {
			fmt.Printf("| command | wall | CPU | wall / hello-world | wall / --version | CPU / hello-world | CPU / --version |\n|---|---|---|---|---|---|---|\n")
			for _, c := range []string{"hello-world", "hello-nethttp", "hello-nethttp-static", "version", "help", "group-help", "command-help", "lean-version", "lean-static-version", "fake-list"} {
				n := "StartUp/cmd=" + c
				if math.IsNaN(med(b, n, "sec/op")) {
					continue
				}
				w, cpu := med(b, n, "sec/op"), med(b, n, "cpu-sec/op")
				fmt.Printf("| %s | %s | %s | %.2fx | %.2fx | %.2fx | %.2fx |\n", c, dur(w), dur(cpu), w/hello, w/version, cpu/helloCPU, cpu/versionCPU)
			}
			fmt.Println()
		}
		// Walks.
		if !math.IsNaN(med(b, "Walk/latency=5ms/c=8/impl=sdk", "sec/op")) {
			fmt.Printf("| walk | SDK wall | x limit | SDK / no-work | SDK CPU/item | net/http wall | x limit | net/http CPU/item | no-work wall | x limit | no-work CPU/item |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
			for _, n := range names {
				if sdk, ok := strings.CutSuffix(n, "/impl=sdk"); ok && strings.HasPrefix(n, "Walk/") {
					h, z := sdk+"/impl=nethttp", sdk+"/impl=nowork"
					fmt.Printf("| %s | %s | %.2fx | %.2fx | %s | %s | %.2fx | %s | %s | %.2fx | %s |\n", strings.TrimPrefix(sdk, "Walk/"),
						dur(med(b, n, "sec/op")), med(b, n, "x-limit"), med(b, n, "sec/op")/med(b, z, "sec/op"), dur(med(b, n, "cpu-sec/op")/10_000),
						dur(med(b, h, "sec/op")), med(b, h, "x-limit"), dur(med(b, h, "cpu-sec/op")/10_000),
						dur(med(b, z, "sec/op")), med(b, z, "x-limit"), dur(med(b, z, "cpu-sec/op")/10_000))
				}
			}
			fmt.Println()
		}
		// Decoding.
		if v1 := med(b, "DecodePage/dec=v1", "cpu-sec/op"); !math.IsNaN(v1) {
			fmt.Printf("| page decode | CPU | / v1 | allocs / v1 |\n|---|---|---|---|\n")
			for _, n := range names {
				if d, ok := strings.CutPrefix(n, "DecodePage/dec="); ok {
					fmt.Printf("| %s | %s | %.2fx | %.2fx |\n", d, dur(med(b, n, "cpu-sec/op")), med(b, n, "cpu-sec/op")/v1,
						med(b, n, "allocs/op")/med(b, "DecodePage/dec=v1", "allocs/op"))
				}
			}
			fmt.Println()
		}
		// Calls.
		header := false
		for _, n := range names {
			if call, ok := strings.CutSuffix(n, "/impl=sdk"); ok && !strings.HasPrefix(n, "Walk/") && !math.IsNaN(med(b, n, "sec/op")) {
				if !header {
					fmt.Printf("| call | SDK / net/http wall | CPU | allocs | SDK / oapi-codegen wall | CPU | allocs |\n|---|---|---|---|---|---|---|\n")
					header = true
				}
				ratio := func(other, unit string) string {
					return fmt.Sprintf("%.2fx", med(b, n, unit)/med(b, call+"/impl="+other, unit))
				}
				fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", call,
					ratio("nethttp", "sec/op"), ratio("nethttp", "cpu-sec/op"), ratio("nethttp", "allocs/op"),
					ratio("oapi-codegen", "sec/op"), ratio("oapi-codegen", "cpu-sec/op"), ratio("oapi-codegen", "allocs/op"))
			}
		}
	}
	return nil
}

// procs is the -GOMAXPROCS suffix of a benchmark's name.
var procs = regexp.MustCompile(`-[0-9]+$`)

// dur formats seconds.
func dur(s float64) string {
	if math.IsNaN(s) {
		return "-"
	}
	return time.Duration(s * 1e9).Round(time.Duration(math.Pow(10, math.Max(0, math.Floor(math.Log10(s*1e9))-2)))).String()
}
