package engine

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestRedactorFindsEscapedKeys: the key is found as sent, and once decoded
// from the escapes a JSON string or a URL may put it in.
func TestRedactorFindsEscapedKeys(t *testing.T) {
	r := newRedactor("sk/red-team+0123456789")
	cases := map[string]string{
		`key sk/red-team+0123456789 end`:                       "key [redacted] end",
		`{"m":"sk\/red-team+0123456789"}`:                      `{"m":"[redacted]"}`,
		`{"m":"\u0073k\u002Fred\u002dteam+0123456789!"}`:       `{"m":"[redacted]!"}`,
		`https://x.test/sk%2Fred-team%2B0123456789?a=1`:        "https://x.test/[redacted]?a=1",
		`twice sk/red-team+0123456789 sk\/red-team+0123456789`: "twice [redacted] [redacted]",
		`not the key: sk/red-team+012345678`:                   `not the key: sk/red-team+012345678`,
		`broken escapes \u00 %z sk/red`:                        `broken escapes \u00 %z sk/red`,
		`\ud83d\ude00 sk/red-team+0123456789`:                  `\ud83d\ude00 [redacted]`,
	}
	for in, want := range cases {
		if got := r.text(in); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
		if got := string(r.bytes([]byte(in))); got != want {
			t.Errorf("bytes(%q) = %q, want %q", in, got, want)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v %s", r, r, r, r); strings.Contains(s, "0123456789") {
		t.Errorf("a redactor prints its key: %s", s)
	}
	// A secret under 8 bytes is replaced where it stands as a word, not
	// inside other words.
	short := newRedactor("k3y")
	for in, want := range map[string]string{
		"k3y":                   "[redacted]",
		"Bearer k3y, again k3y": "Bearer [redacted], again [redacted]",
		`{"key":"k3y"}`:         `{"key":"[redacted]"}`,
		`{"key":"\u006b3y"}`:    `{"key":"[redacted]"}`,
		"ak3y k3ys k3y-x x_k3y": "ak3y k3ys k3y-x x_k3y",
	} {
		if got := short.text(in); got != want {
			t.Errorf("short key: text(%q) = %q, want %q", in, got, want)
		}
	}
	// Several secrets (a key and a session token), overlapping or not.
	two := newRedactor("sk-0123456789abcdef", "eyJhbGciOi.eyJ0eXBlIjoi.c2ln")
	if got := two.text("sk-0123456789abcdef and eyJhbGciOi.eyJ0eXBlIjoi.c2ln"); got != "[redacted] and [redacted]" {
		t.Errorf("two secrets: %q", got)
	}
}

// TestScrubKeepsTheChain: after scrubbing, errors.Is and errors.As still
// reach the causes, whose text no longer holds the key either.
func TestScrubKeepsTheChain(t *testing.T) {
	r := newRedactor("sk-0123456789abcdef")
	cause := errors.New("refused for sk-0123456789abcdef")
	ue := &url.Error{Op: "Get", URL: "https://x.test/sk-0123456789abcdef", Err: cause}
	e := &Error{Operation: "op", Err: fmt.Errorf("wrapped: %w", ue), Message: `sk\u002d0123456789abcdef`}
	r.scrub(e)
	if !errors.Is(e, cause) {
		t.Error("errors.Is lost the cause")
	}
	var got *url.Error
	if !errors.As(e, &got) || strings.Contains(got.Error(), r.keys[0]) {
		t.Errorf("errors.As(*url.Error) = %v", got)
	}
	if strings.Contains(e.Error(), r.keys[0]) || e.Message != "[redacted]" {
		t.Errorf("Error() = %q, Message %q", e.Error(), e.Message)
	}
}

func TestStripURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@api.test/v1/avatars?search=john#frag": "https://api.test/v1/avatars",
		"https://api.test/v1/avatars?":                     "https://api.test/v1/avatars",
		"https://u:p@api.test/%zz?search=john":             "https://api.test/%zz",
	} {
		if got := stripURL(in); got != want {
			t.Errorf("stripURL(%q) = %q, want %q", in, got, want)
		}
	}
}
