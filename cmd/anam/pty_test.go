//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// These tests run anam as a person would, in a real pseudo-terminal: the
// test binary itself, re-executed with ANAM_TEST_MAIN=1, is the program.

func TestMain(m *testing.M) {
	if os.Getenv("ANAM_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// ptyTerm is anam running with a pseudo-terminal as its standard input and
// error, and as its standard output unless stdout is given.
type ptyTerm struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	mu   sync.Mutex
	out  bytes.Buffer // everything written to the terminal
	done chan struct{}
}

func startTerm(t *testing.T, env map[string]string, stdout io.Writer, args ...string) *ptyTerm {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"ANAM_TEST_MAIN=1", "TERM=xterm", "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin, cmd.Stderr = tty, tty
	// Its own session, with the terminal as its controlling one, so that
	// Ctrl-C typed on it is a SIGINT, as in a shell.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	cmd.Stdout = tty
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	tm := &ptyTerm{t: t, cmd: cmd, ptmx: ptmx, done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		ptmx.Close()
	})
	return tm
}

// waitFor waits until the terminal shows s.
func (tm *ptyTerm) waitFor(s string) {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(tm.screen(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	tm.t.Fatalf("the terminal never showed %q:\n%q", s, tm.screen())
}

// waitEchoOff waits until the program has turned the terminal's echo off.
func (tm *ptyTerm) waitEchoOff() {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		st, err := unix.IoctlGetTermios(int(tm.ptmx.Fd()), unix.TCGETS)
		if err != nil {
			tm.t.Fatal(err)
		}
		if st.Lflag&unix.ECHO == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	tm.t.Fatal("the terminal's echo was never turned off")
}

func (tm *ptyTerm) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

func (tm *ptyTerm) typeLine(s string) {
	tm.t.Helper()
	if _, err := tm.ptmx.Write([]byte(s + "\r")); err != nil {
		tm.t.Fatal(err)
	}
}

// wait waits for the program to end and returns its exit code and all it
// wrote to the terminal.
func (tm *ptyTerm) wait() (int, string) {
	tm.t.Helper()
	timer := time.AfterFunc(30*time.Second, func() { _ = tm.cmd.Process.Kill() })
	defer timer.Stop()
	err := tm.cmd.Wait()
	select {
	case <-tm.done:
	case <-time.After(5 * time.Second):
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tm.t.Fatal(err)
	}
	return code, tm.screen()
}

func TestTerminalConfirmation(t *testing.T) {
	del := pick(t, "delete by ID", deleteByID)
	rec := newRecorder(t, 204, "")
	// Declined: nothing is sent, exit 1.
	tm := startTerm(t, rec.env(), nil, words(del, someID)...)
	tm.waitFor("[y/N]")
	tm.typeLine("n")
	if code, screen := tm.wait(); code != exitFailed || !strings.Contains(screen, "not confirmed: nothing was sent") {
		t.Errorf("declined: exit %d:\n%s", code, screen)
	}
	if n := len(rec.got()); n != 0 {
		t.Fatalf("%d requests after a declined confirmation", n)
	}
	// Confirmed: sent once.
	tm = startTerm(t, rec.env(), nil, words(del, someID)...)
	tm.waitFor("[y/N]")
	tm.typeLine("yes")
	if code, screen := tm.wait(); code != exitOK {
		t.Errorf("confirmed: exit %d:\n%s", code, screen)
	}
	if n := len(rec.got()); n != 1 {
		t.Errorf("%d requests after a confirmation, want 1", n)
	}
	// --yes asks nothing.
	tm = startTerm(t, rec.env(), nil, words(del, someID, "--yes")...)
	if code, screen := tm.wait(); code != exitOK || strings.Contains(screen, "[y/N]") {
		t.Errorf("--yes: exit %d:\n%s", code, screen)
	}
}

func TestTerminalLoginReadsWithoutEcho(t *testing.T) {
	env := fakeEnv(t, 0)
	key := env["ANAM_API_KEY"]
	loginEnv := map[string]string{envConfigDir: env[envConfigDir], "ANAM_BASE_URL": env["ANAM_BASE_URL"]}
	tm := startTerm(t, loginEnv, nil, "auth", "login")
	tm.waitFor("it is not shown: ")
	tm.waitEchoOff()
	tm.typeLine(key)
	code, screen := tm.wait()
	if code != exitOK || !strings.Contains(screen, "stored in profile \"default\"") {
		t.Fatalf("exit %d:\n%s", code, screen)
	}
	if strings.Contains(screen, key) {
		t.Errorf("the key was echoed:\n%q", screen)
	}
	b, err := os.ReadFile(filepath.Join(env[envConfigDir], profilesFile))
	var doc profilesDoc
	if err != nil || json.Unmarshal(b, &doc) != nil || doc.Profiles["default"].APIKey != key {
		t.Errorf("stored %s (%v)", b, err)
	}
}

// TestTerminalProgressAndColour checks that a long --all shows its
// progress and a bold header when stdout and stderr are the terminal, and
// neither when stdout goes to a file (or NO_COLOR is set).
func TestTerminalProgressAndColour(t *testing.T) {
	list := pick(t, "paginated list", pagedList)
	ps := newPageServer(t, 2000, 25*time.Millisecond, nil)
	args := words(list, "--all", "--concurrency", "1")

	tm := startTerm(t, ps.env(), nil, args...)
	code, screen := tm.wait()
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, screen)
	}
	if !strings.Contains(screen, "items/s") || !strings.Contains(screen, " of 20") {
		t.Errorf("no progress on the terminal:\n%.2000q", screen)
	}
	if !strings.Contains(screen, boldOn+titleOf(list.meta.Columns[0])) {
		t.Errorf("the header is not bold on the terminal:\n%.300q", screen)
	}

	file, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tm = startTerm(t, ps.env(), file, args...)
	code, screen = tm.wait()
	file.Close()
	out, _ := os.ReadFile(file.Name())
	if code != exitOK || strings.Count(string(out), "\n") != 2001 {
		t.Fatalf("exit %d, %d lines in the file:\n%s", code, strings.Count(string(out), "\n"), screen)
	}
	if strings.Contains(screen, "items/s") || strings.Contains(string(out), "\x1b") {
		t.Errorf("progress or colour with stdout redirected: terminal %q, file starts %q", screen, out[:min(len(out), 200)])
	}
	if !strings.Contains(screen, "2000 items") {
		t.Errorf("the count is not on the terminal (stderr): %q", screen)
	}

	env := ps.env()
	env["NO_COLOR"] = "1"
	tm = startTerm(t, env, nil, words(list, "--all", "--limit", "5")...)
	if code, screen := tm.wait(); code != exitOK || strings.Contains(screen, boldOn) {
		t.Errorf("NO_COLOR: exit %d, %q", code, screen)
	}
}

// TestTerminalInterrupt checks that Ctrl-C at a question ends anam at once
// (exit 130, nothing sent), with the terminal's echo back on after the key
// prompt.
func TestTerminalInterrupt(t *testing.T) {
	del := pick(t, "delete by ID", deleteByID)
	rec := newRecorder(t, 204, "")
	tm := startTerm(t, rec.env(), nil, words(del, someID)...)
	tm.waitFor("[y/N]")
	if _, err := tm.ptmx.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	if code, screen := tm.wait(); code != exitInterrupted || !strings.Contains(screen, "interrupted") {
		t.Errorf("Ctrl-C at the confirmation: exit %d:\n%s", code, screen)
	}
	if n := len(rec.got()); n != 0 {
		t.Errorf("%d requests after Ctrl-C", n)
	}

	tm = startTerm(t, map[string]string{envConfigDir: t.TempDir(), "ANAM_BASE_URL": rec.URL}, nil, "auth", "login")
	tm.waitFor("it is not shown: ")
	tm.waitEchoOff()
	if _, err := tm.ptmx.Write([]byte{3}); err != nil {
		t.Fatal(err)
	}
	if code, screen := tm.wait(); code != exitInterrupted {
		t.Errorf("Ctrl-C at the key prompt: exit %d:\n%s", code, screen)
	}
	st, err := unix.IoctlGetTermios(int(tm.ptmx.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lflag&unix.ECHO == 0 {
		t.Error("the terminal's echo is still off after Ctrl-C at the key prompt")
	}
}
