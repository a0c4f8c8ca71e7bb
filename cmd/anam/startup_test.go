package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMeasureStartUp measures whole-process start-up, in paired,
// interleaved rounds (each round runs every command once, in a rotated
// order), and logs the median wall and CPU time (user + system, from
// wait4) of each: a hello-world, a hello-world that links net/http (the
// floor of any HTTPS client), and anam's --version, help at three levels
// and the README's first command, for the default build, the lean one
// (-tags anam_nofake) and the lean one linked statically (CGO_ENABLED=0). It is a measurement, not an assertion of timing:
// run it with ANAM_CLI_MEASURE=1 (ANAM_CLI_ROUNDS sets the rounds, 30 by
// default) and read the log.
func TestMeasureStartUp(t *testing.T) {
	if os.Getenv("ANAM_CLI_MEASURE") == "" {
		t.Skip("set ANAM_CLI_MEASURE=1 to measure start-up")
	}
	rounds := 30
	if n, err := fmt.Sscan(os.Getenv("ANAM_CLI_ROUNDS"), &rounds); n != 1 || err != nil {
		rounds = 30
	}
	dir := t.TempDir()
	build := func(name string, args ...string) string {
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", name, err, b)
		}
		return out
	}
	writeMain := func(sub, src string) string {
		p := filepath.Join(dir, sub)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "main.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return "./" + sub
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module measure\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hello := build("hello", writeMain("src-hello", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"))
	helloHTTP := build("hello-http", writeMain("src-hellohttp", `package main

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
`))
	wd, _ := os.Getwd()
	anam := filepath.Join(dir, "anam")
	lean := filepath.Join(dir, "anam-lean")
	static := filepath.Join(dir, "anam-lean-static")
	for _, b := range []struct {
		out, tags string
		cgo       bool
	}{{anam, "", true}, {lean, "anam_nofake", true}, {static, "anam_nofake", false}} {
		cmd := exec.Command("go", "build", "-tags", b.tags, "-o", b.out, ".")
		cmd.Dir = wd
		if !b.cgo {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	list := pick(t, "paginated list", pagedList)
	type run struct {
		name string
		argv []string
		wall []time.Duration
		cpu  []time.Duration
	}
	runs := []*run{
		{name: "hello-world", argv: []string{hello}},
		{name: "hello-world + net/http", argv: []string{helloHTTP}},
	}
	for _, bin := range []struct{ label, path string }{{"", anam}, {"lean ", lean}, {"lean static ", static}} {
		runs = append(runs,
			&run{name: bin.label + "--version", argv: []string{bin.path, "--version"}},
			&run{name: bin.label + "--help", argv: []string{bin.path, "--help"}},
			&run{name: bin.label + "group --help", argv: []string{bin.path, list.group.name, "--help"}},
			&run{name: bin.label + "command --help", argv: []string{bin.path, list.group.name, list.name, "--help"}},
		)
	}
	runs = append(runs, &run{name: "--fake " + list.path(), argv: []string{anam, "--fake", list.group.name, list.name}})
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	for r := -2; r < rounds; r++ { // two rounds of warm-up
		for i := range runs {
			x := runs[(i+max(r, 0))%len(runs)]
			cmd := exec.Command(x.argv[0], x.argv[1:]...)
			cmd.Env = append(os.Environ(), "ANAM_CONFIG_DIR="+dir)
			cmd.Stdout, cmd.Stderr = devnull, devnull
			start := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v", x.name, err)
			}
			wall := time.Since(start)
			if r >= 0 {
				x.wall = append(x.wall, wall)
				x.cpu = append(x.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
			}
		}
	}
	median := func(d []time.Duration) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return s[len(s)/2]
	}
	size := func(p string) string {
		st, err := os.Stat(p)
		if err != nil {
			return "?"
		}
		return fmt.Sprintf("%.1f MB", float64(st.Size())/1e6)
	}
	base := median(runs[0].wall)
	rows := []string{fmt.Sprintf("%d rounds; binary %s, lean %s", rounds, size(anam), size(lean)),
		"command | wall (median) | CPU (median) | wall / hello-world"}
	for _, x := range runs {
		w := median(x.wall)
		rows = append(rows, fmt.Sprintf("%s | %s | %s | %.2fx", x.name, w.Round(10*time.Microsecond), median(x.cpu).Round(10*time.Microsecond), float64(w)/float64(base)))
	}
	t.Log("\n" + strings.Join(rows, "\n"))
}
