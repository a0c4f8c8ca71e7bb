package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// byOperation is the command of the operation id, or skips the test when
// the spec has none: the session flow is a flow of named operations (see
// e2e/clients/README.md).
func byOperation(t *testing.T, id string) *command {
	t.Helper()
	return pick(t, "operation "+id, func(c *command) bool { return c.op.ID == id })
}

// fakeServe runs `anam fake serve` until the test ends and returns the
// environment it prints.
func fakeServe(t *testing.T) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var stderr strings.Builder
		done <- run(ctx, []string{"fake", "serve", "--addr", "127.0.0.1:0", "--items", "2"}, testEnv(nil, strings.NewReader(""), pw, &stderr))
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if code := <-done; code != 0 {
			t.Errorf("fake serve exited %d", code)
		}
	})
	env := map[string]string{envConfigDir: t.TempDir()}
	lines := make(chan string)
	go func() {
		buf := make([]byte, 0, 512)
		tmp := make([]byte, 512)
		for strings.Count(string(buf), "\n") < 2 {
			n, err := pr.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if err != nil {
				break
			}
		}
		lines <- string(buf)
	}()
	select {
	case out := <-lines:
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			k, v, _ := strings.Cut(line, "=")
			env[k] = v
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fake serve printed nothing")
	}
	if env["ANAM_BASE_URL"] == "" || env["ANAM_API_KEY"] == "" {
		t.Fatalf("fake serve printed %v", env)
	}
	return env
}

// TestSessionFlowCLI is the session flow of Anam's published clients
// (issue 17 item 9), through the command line against `anam fake serve`:
// a token by persona ID with the API key, an engine session with that
// token (--session-token, or ANAM_SESSION_TOKEN), the session found and
// stopped with the API key. A session token where the spec does not take
// one is refused before anything is sent (exit 2).
func TestSessionFlowCLI(t *testing.T) {
	listPersonas := byOperation(t, "listPersonas")
	mint := byOperation(t, "createSessionToken")
	start := byOperation(t, "createEngineSession")
	get := byOperation(t, "getSession")
	stop := byOperation(t, "stopSession")
	env := fakeServe(t)
	out := func(args ...string) string {
		t.Helper()
		r := cli(t, env, "", args...)
		mustExit(t, r, exitOK)
		return strings.TrimSpace(r.stdout)
	}

	persona := out(append(words(listPersonas), "--jq", ".data[0].id")...)
	token := out(append(words(mint, "--data", `{"personaConfig":{"personaId":"`+persona+`"}}`), "--jq", ".sessionToken")...)
	if strings.Count(token, ".") != 2 {
		t.Fatalf("the session token %q is not a JWT", token)
	}
	session := out(append(words(start, "--session-token", token), "--jq", ".sessionId")...)
	if session == "" || session == "null" {
		t.Fatalf("no session started: %q", session)
	}
	if got := out(append(words(get, session), "--jq", ".id")...); got != session {
		t.Errorf("the session: %q, want %q", got, session)
	}
	out(words(stop, session, "--yes")...)
	if end := out(append(words(get, session), "--jq", ".endTime")...); end == "" || end == "null" {
		t.Errorf("after stop: endTime %q", end)
	}

	// ANAM_SESSION_TOKEN: used where the spec accepts a token, the API key
	// elsewhere.
	env["ANAM_SESSION_TOKEN"] = token
	second := out(append(words(start), "--jq", ".sessionId")...)
	if second == "" || second == session {
		t.Errorf("a second session with ANAM_SESSION_TOKEN: %q", second)
	}
	if got := out(append(words(get, second), "--jq", ".id")...); got != second {
		t.Errorf("getSession with ANAM_SESSION_TOKEN set: %q", got)
	}
	delete(env, "ANAM_SESSION_TOKEN")

	// The flag where the spec takes the API key only: refused unsent.
	r := cli(t, env, "", words(get, second, "--session-token", token)...)
	mustExit(t, r, exitUsage)
	t.Log(r.stderr)
	if !strings.Contains(r.stderr, "--session-token") || !strings.Contains(r.stderr, "accepts the API key only") || strings.Contains(r.stderr, token) {
		t.Errorf("stderr: %s", r.stderr)
	}
	// A token the fake never minted: the server's 401, exit 1, never shown.
	parts := strings.Split(token, ".")
	r = cli(t, env, "", words(start, "--session-token", parts[0]+"."+parts[1]+".Zm9yZ2Vk")...)
	mustExit(t, r, exitFailed)
	if strings.Contains(r.stderr, parts[1]) || !strings.Contains(r.stderr, "401") {
		t.Errorf("a forged token: %s", r.stderr)
	}
}
