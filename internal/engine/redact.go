package engine

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// redactor removes the client's secrets (the API key, and a call's
// session token) from what the SDK puts into errors, log lines and the
// headers it hands back: a server that echoes one back, in a message, a
// header or a redirect target, must not make it appear there. It finds a
// secret as sent and also once decoded, so that an echo escaped as JSON
// escapes it ("sk\/...", "\u0073k...") or as a URL does ("sk%2F...") is
// found too.
//
// A secret of 8 bytes or more is replaced wherever it occurs. A shorter
// one (a test key, say) is too likely to occur by chance inside other
// words, so it is replaced where it stands as a word of its own: not
// preceded or followed by a letter, a digit, '-' or '_'.
//
// Redaction comes first: every text the server sent is redacted before it
// is cut to size or escaped (see redactor.excerpt, redactor.cut), so that
// a cut never leaves part of a secret.
type redactor struct{ keys []string }

// shortKey is the length under which a secret is matched as a word only.
const shortKey = 8

const redacted = "[redacted]"

// newRedactor returns a redactor of the non-empty secrets among keys.
func newRedactor(keys ...string) *redactor {
	r := &redactor{}
	for _, k := range keys {
		if k != "" {
			r.keys = append(r.keys, k)
		}
	}
	return r
}

// with returns a redactor of r's secrets and k.
func (r *redactor) with(k string) *redactor {
	keys := make([]string, 0, len(r.keys)+1)
	return newRedactor(append(append(keys, r.keys...), k)...)
}

// String, GoString and Format keep the secrets out of anything that
// prints a redactor.
func (r *redactor) String() string                { return redacted }
func (r *redactor) GoString() string              { return redacted }
func (r *redactor) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

func (r *redactor) active() bool { return r != nil && len(r.keys) > 0 }

// isKey reports whether s is one of the secrets.
func (r *redactor) isKey(s string) bool { return r != nil && slices.Contains(r.keys, s) }

// longest is the length of the longest secret.
func (r *redactor) longest() int {
	n := 0
	if r != nil {
		for _, k := range r.keys {
			n = max(n, len(k))
		}
	}
	return n
}

// text returns s with every occurrence of a secret, literal or escaped,
// replaced by "[redacted]".
func (r *redactor) text(s string) string {
	if !r.active() {
		return s
	}
	if !strings.ContainsAny(s, `\%`) {
		hit := false
		for _, k := range r.keys {
			if strings.Contains(s, k) {
				hit = true
				break
			}
		}
		if !hit {
			return s
		}
	}
	spans := r.find(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	at := 0
	for _, sp := range spans {
		b.WriteString(s[at:sp[0]])
		b.WriteString(redacted)
		at = sp[1]
	}
	b.WriteString(s[at:])
	return b.String()
}

// bytes is text for a byte slice; it returns b itself when there is
// nothing to replace.
func (r *redactor) bytes(b []byte) []byte {
	if !r.active() {
		return b
	}
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '%') < 0 {
		hit := false
		for _, k := range r.keys {
			if bytes.Contains(b, []byte(k)) {
				hit = true
				break
			}
		}
		if !hit {
			return b
		}
	}
	s := string(b)
	if t := r.text(s); t != s {
		return []byte(t)
	}
	return b
}

// excerpt returns a bounded excerpt of b, at most n bytes of valid UTF-8
// on one line with control and bidirectional characters escaped (see
// excerpt), without a secret. The secrets are removed before the text is
// cut. Only a prefix of a long b is read: one long enough for n bytes of
// text however the secrets in it were escaped, less its tail, where a
// secret cut in half by the prefix could be.
func (r *redactor) excerpt(b []byte, n int) string {
	if limit := 4*n + 8*r.longest(); len(b) > limit {
		b = r.bytes(b[:limit])
		b = b[:len(b)-min(len(b), 8*r.longest())]
	} else {
		b = r.bytes(b)
	}
	return excerpt(b, n)
}

// cut is excerpt for a short text the server sent (a header value): the
// secrets out, then escaped and cut to n bytes.
func (r *redactor) cut(s string, n int) string {
	return truncate(escapeText(r.text(s)), n)
}

// header returns h, or a copy of it without the secrets when a value
// holds one: the headers the SDK hands back (WithResponseInto, Do) are
// redacted like its errors.
func (r *redactor) header(h http.Header) http.Header {
	if !r.active() {
		return h
	}
	var out http.Header
	for k, vs := range h {
		for i, v := range vs {
			if t := r.text(v); t != v {
				if out == nil {
					out = h.Clone()
				}
				out[k][i] = t
			}
		}
	}
	if out == nil {
		return h
	}
	return out
}

// find returns the spans [start, end) of s that decode to a secret, in
// order and without overlap. s is decoded once: JSON escapes (\/, \uXXXX,
// surrogate pairs included) and URL escapes (%XX) are replaced by what
// they stand for; every other byte stands for itself.
func (r *redactor) find(s string) [][2]int {
	dec := make([]byte, 0, len(s))
	from := make([]int, 0, len(s)) // from[i]: where in s the byte dec[i] starts
	to := make([]int, 0, len(s))   // to[i]: where it ends
	emit := func(b []byte, start, end int) {
		for _, c := range b {
			dec = append(dec, c)
			from = append(from, start)
			to = append(to, end)
		}
	}
	var tmp [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			switch e := s[i+1]; e {
			case 'u':
				if v, ok := hex4(s, i+2); ok {
					end := i + 6
					rn := rune(v)
					if utf16.IsSurrogate(rn) && end+6 <= len(s) && s[end] == '\\' && s[end+1] == 'u' {
						if lo, ok := hex4(s, end+2); ok {
							if p := utf16.DecodeRune(rn, rune(lo)); p != utf8.RuneError {
								rn, end = p, end+6
							}
						}
					}
					n := utf8.EncodeRune(tmp[:], rn)
					emit(tmp[:n], i, end)
					i = end
					continue
				}
			case '/', '\\', '"':
				emit([]byte{e}, i, i+2)
				i += 2
				continue
			case 'b', 'f', 'n', 'r', 't':
				emit([]byte{jsonEscape[e]}, i, i+2)
				i += 2
				continue
			}
		case c == '%' && i+2 < len(s):
			if hi, ok := unhex(s[i+1]); ok {
				if lo, ok := unhex(s[i+2]); ok {
					emit([]byte{hi<<4 | lo}, i, i+3)
					i += 3
					continue
				}
			}
		}
		emit([]byte{c}, i, i+1)
		i++
	}
	var spans [][2]int
	for _, k := range r.keys {
		key := []byte(k)
		for off := 0; ; {
			j := bytes.Index(dec[off:], key)
			if j < 0 {
				break
			}
			j += off
			end := j + len(key)
			off = j + 1
			if len(key) < shortKey && (j > 0 && wordByte(dec[j-1]) || end < len(dec) && wordByte(dec[end])) {
				continue // inside a longer word: not this short secret
			}
			spans = append(spans, [2]int{from[j], to[end-1]})
			off = end
		}
	}
	if len(r.keys) > 1 {
		// The spans of several secrets, in order, overlaps merged.
		slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
		merged := spans[:0]
		for _, sp := range spans {
			if n := len(merged); n > 0 && sp[0] < merged[n-1][1] {
				merged[n-1][1] = max(merged[n-1][1], sp[1])
				continue
			}
			merged = append(merged, sp)
		}
		spans = merged
	}
	return spans
}

// wordByte reports whether c continues a word a short secret may not be
// part of.
func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

var jsonEscape = [256]byte{'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func hex4(s string, i int) (uint16, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var v uint16
	for _, c := range []byte(s[i : i+4]) {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// scrub removes the secrets from everything of e that can be printed,
// logged or reached through its chain: the message, the body excerpt, the
// request ID and the cause (see clean).
func (r *redactor) scrub(e *Error) {
	if !r.active() {
		return
	}
	e.Message = r.text(e.Message)
	e.Body = r.text(e.Body)
	e.RequestID = r.text(e.RequestID)
	e.Err = r.clean(e.Err)
}

// clean returns err when its text holds no secret, and otherwise an error
// whose text, and that of every error its chain reaches (errors.Unwrap,
// errors.As targets), holds none either: the errors the SDK knows are
// copied with their fields redacted (*url.Error, *time.ParseError, the
// redirect error), and any other is replaced by a *redactedError with its
// text, which matches what the original matched for errors.Is but cannot
// be taken apart to reach the original.
func (r *redactor) clean(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	clean := r.text(text)
	if clean == text {
		return err
	}
	switch e := err.(type) {
	case *url.Error:
		cp := *e
		cp.URL, cp.Err = r.text(e.URL), r.clean(e.Err)
		return &cp
	case *time.ParseError:
		cp := *e
		cp.Layout, cp.Value, cp.LayoutElem, cp.ValueElem, cp.Message = r.text(e.Layout), r.text(e.Value), r.text(e.LayoutElem), r.text(e.ValueElem), r.text(e.Message)
		return &cp
	case *redirectError:
		return &redirectError{from: r.text(e.from), to: r.text(e.to)}
	case *transient:
		return &transient{r.clean(e.err)}
	case *sendError:
		return &sendError{r.clean(e.err)}
	}
	return &redactedError{err: err, text: clean, r: r}
}

// redactedError stands for an error whose text held a secret: its text is
// the original's, redacted. Its Unwrap returns the original's causes,
// each cleaned; Is matches what the original itself matches.
type redactedError struct {
	err  error
	text string
	r    *redactor
}

func (e *redactedError) Error() string { return e.text }

func (e *redactedError) Unwrap() []error {
	switch u := e.err.(type) {
	case interface{ Unwrap() error }:
		if w := u.Unwrap(); w != nil {
			return []error{e.r.clean(w)}
		}
	case interface{ Unwrap() []error }:
		var out []error
		for _, w := range u.Unwrap() {
			if w != nil {
				out = append(out, e.r.clean(w))
			}
		}
		return out
	}
	return nil
}

func (e *redactedError) Is(target error) bool {
	if t := reflect.TypeOf(target); t != nil && t.Comparable() && reflect.TypeOf(e.err).Comparable() && e.err == target {
		return true
	}
	if x, ok := e.err.(interface{ Is(error) bool }); ok {
		return x.Is(target)
	}
	return false
}

// stripURL returns raw, a URL, without its query, fragment and userinfo:
// the query may hold a search term, the userinfo a password.
func stripURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
		return u.String()
	}
	raw, _, _ = strings.Cut(raw, "#")
	raw, _, _ = strings.Cut(raw, "?")
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		host, path, _ := strings.Cut(rest, "/")
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		raw = scheme + "://" + host
		if path != "" {
			raw += "/" + path
		}
	}
	return raw
}
