package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api/anamtest"
)

const livID = "071b0286-4cce-4808-bee2-e642f1062de3"

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the program with the given environment (nil: none at all).
func cli(t *testing.T, env map[string]string, progress bool, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut, progress)
	return result{code, out.String(), errOut.String()}
}

func TestListWithoutKeyUsesFake(t *testing.T) {
	r := cli(t, nil, false, "avatars", "list")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "ANAM_API_KEY is not set") || !strings.Contains(r.stderr, "fake") {
		t.Errorf("stderr does not say it uses the fake: %q", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "NAME") {
		t.Errorf("no table header: %q", lines[0])
	}
	if !strings.Contains(r.stdout, livID) || !strings.Contains(r.stdout, "Liv") {
		t.Errorf("the spec's example avatar is missing:\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, "-4"); n < 10 { // ten UUID rows (version-4 UUIDs)
		t.Errorf("want 10 rows, output:\n%s", r.stdout)
	}
	want := "page 1 of 5 (43 avatars); next: --page 2, or --all"
	if lines[len(lines)-1] != want {
		t.Errorf("footer %q, want %q", lines[len(lines)-1], want)
	}
}

func TestListJSONPage(t *testing.T) {
	r := cli(t, nil, false, "--fake", "avatars", "list", "--per-page", "5", "--page", "2", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var page struct {
		Data []struct{ ID string }
		Meta struct {
			Total, CurrentPage, PerPage, LastPage int
			Prev, Next                            *int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	m := page.Meta
	if len(page.Data) != 5 || m.Total != 43 || m.CurrentPage != 2 || m.PerPage != 5 || m.LastPage != 9 || *m.Prev != 1 || *m.Next != 3 {
		t.Errorf("page = %+v", page)
	}
	if strings.Contains(r.stderr, "not set") {
		t.Errorf("--fake still complains about the key: %q", r.stderr)
	}
}

func TestListAllJSON(t *testing.T) {
	r := cli(t, nil, false, "--fake", "avatars", "list", "--all", "--per-page", "7", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var all []struct{ ID string }
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range all {
		if seen[a.ID] {
			t.Errorf("duplicate %s", a.ID)
		}
		seen[a.ID] = true
	}
	if len(all) != 43 || all[0].ID != livID {
		t.Errorf("%d avatars, first %v", len(all), all[0])
	}
}

func TestListAllShowsProgressOnTerminal(t *testing.T) {
	r := cli(t, nil, true, "--fake", "avatars", "list", "--all")
	if r.code != 0 || !strings.Contains(r.stderr, "fetched page 5 of 5 (43 avatars)") || !strings.HasSuffix(r.stdout, "\n43 avatars\n") {
		t.Fatalf("exit %d\nstdout %s\nstderr %q", r.code, r.stdout, r.stderr)
	}
	quiet := cli(t, nil, false, "--fake", "avatars", "list", "--all")
	if strings.Contains(quiet.stderr, "fetched") {
		t.Errorf("progress shown when stderr is not a terminal: %q", quiet.stderr)
	}
}

func TestSearchAndOneShot(t *testing.T) {
	r := cli(t, nil, false, "--fake", "avatars", "list", "--search", "LIV", "--json")
	var page struct {
		Data []struct{ DisplayName string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || len(page.Data) == 0 {
		t.Fatalf("search: %v %s", err, r.stdout)
	}
	for _, a := range page.Data {
		if !strings.Contains(strings.ToLower(a.DisplayName), "liv") {
			t.Errorf("search LIV matched %q", a.DisplayName)
		}
	}
	none := cli(t, nil, false, "--fake", "avatars", "list", "--search", "no-such-avatar")
	if none.code != 0 || !strings.Contains(none.stdout, "no avatars found") {
		t.Errorf("empty search: exit %d, %q %q", none.code, none.stdout, none.stderr)
	}
	one := cli(t, nil, false, "--fake", "avatars", "list", "--only-one-shot", "--all", "--json")
	var shots []struct{ ID string }
	// The spec's Avatar has no field that tells one-shot avatars apart, so
	// the spec-driven fake accepts onlyOneShot and ignores it (see
	// anamtest's package documentation): the flag must reach the API and
	// the listing still work.
	if err := json.Unmarshal([]byte(one.stdout), &shots); err != nil || len(shots) == 0 {
		t.Errorf("only-one-shot: %v, %d avatars", err, len(shots))
	}
}

func TestGet(t *testing.T) {
	r := cli(t, nil, false, "--fake", "avatars", "get", livID)
	if r.code != 0 || !strings.Contains(r.stdout, "Name:") || !strings.Contains(r.stdout, "Liv") || !strings.Contains(r.stdout, "Owner:           stock") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	j := cli(t, nil, false, "--fake", "avatars", "get", livID, "--json")
	var a struct {
		ID       string
		VideoURL *string `json:"videoUrl"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &a); err != nil || a.ID != livID || a.VideoURL == nil || !strings.Contains(*a.VideoURL, "X-Amz-Signature=...") {
		t.Errorf("get --json: %v %+v\n%s", err, a, j.stdout)
	}
}

func TestFailures(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad id", []string{"--fake", "avatars", "get", "nope"}, 1, "must be a UUID"},
		{"unknown id", []string{"--fake", "avatars", "get", "00000000-0000-4000-8000-000000000000"}, 1, "404 Not Found"},
		{"per page too large", []string{"--fake", "avatars", "list", "--per-page", "500"}, 1, "perPage = 500 is invalid: it must be an integer from 1 to 100"},
		{"no command", []string{}, 2, "no command"},
		{"unknown command", []string{"avatars", "frob"}, 2, "unknown command"},
		{"get without id", []string{"avatars", "get"}, 2, "exactly one"},
		{"bad flag", []string{"avatars", "list", "--nope"}, 2, "flag provided but not defined"},
		{"bad number", []string{"avatars", "list", "--page", "x"}, 2, "invalid value"},
		{"all with page", []string{"avatars", "list", "--all", "--page", "2"}, 2, "do not go together"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, nil, false, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tc.code, r.stderr, tc.want)
			}
			if tc.code != 0 && r.stdout != "" {
				t.Errorf("stdout on failure: %q", r.stdout)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	r := cli(t, nil, false, "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "usage:") {
		t.Errorf("exit %d %q", r.code, r.stdout)
	}
}

func TestRealModeUsesEnvironment(t *testing.T) {
	srv := anamtest.NewServer(anamtest.WithAPIKey("sk-real-looking-key"), anamtest.WithItems(3), anamtest.WithT(t))
	env := map[string]string{"ANAM_API_KEY": "sk-real-looking-key", "ANAM_BASE_URL": srv.URL}
	r := cli(t, env, false, "avatars", "list", "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if srv.Requests("listAvatars") != 1 {
		t.Errorf("the server saw %d requests", srv.Requests("listAvatars"))
	}
	if ua := srv.LastHeader("listAvatars").Get("User-Agent"); !strings.Contains(ua, "anam-cli") {
		t.Errorf("User-Agent %q", ua)
	}

	env["ANAM_API_KEY"] = "sk-wrong"
	bad := cli(t, env, false, "avatars", "list")
	if bad.code != 1 || !strings.Contains(bad.stderr, "401 Unauthorized") || strings.Contains(bad.stderr, "sk-wrong") {
		t.Errorf("wrong key: exit %d, stderr %q", bad.code, bad.stderr)
	}
}
