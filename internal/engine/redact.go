package engine

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// redactor removes the API key from what the SDK puts into errors and log
// lines: a server that echoes the key back, in a message, a header or a
// redirect target, must not make it appear there. It finds the key as
// sent and also once decoded, so that an echo escaped as JSON escapes it
// ("sk\/...", "\u0073k...") or as a URL does ("sk%2F...") is found too.
// A key shorter than 8 bytes is too likely to occur by chance to be
// replaced.
type redactor struct{ key string }

const redacted = "[redacted]"

// String, GoString and Format keep the key out of anything that prints a
// redactor.
func (r *redactor) String() string                { return redacted }
func (r *redactor) GoString() string              { return redacted }
func (r *redactor) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

func (r *redactor) active() bool { return r != nil && len(r.key) >= 8 }

// text returns s with every occurrence of the key, literal or escaped,
// replaced by "[redacted]".
func (r *redactor) text(s string) string {
	if !r.active() {
		return s
	}
	if !strings.ContainsAny(s, `\%`) {
		if !strings.Contains(s, r.key) {
			return s
		}
		return strings.ReplaceAll(s, r.key, redacted)
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
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '%') < 0 && !bytes.Contains(b, []byte(r.key)) {
		return b
	}
	s := string(b)
	if t := r.text(s); t != s {
		return []byte(t)
	}
	return b
}

// find returns the spans [start, end) of s that decode to the key, in
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
	key := []byte(r.key)
	for off := 0; ; {
		j := bytes.Index(dec[off:], key)
		if j < 0 {
			break
		}
		j += off
		spans = append(spans, [2]int{from[j], to[j+len(key)-1]})
		off = j + len(key)
	}
	return spans
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

// redactedError is an error whose text had the key removed. It unwraps to
// the original, so errors.Is and errors.As still see through it.
type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// scrub removes the key from everything of e that can be printed or
// logged: the message, the body excerpt, the request ID, the cause's text,
// and the URL and redirect target of a transport error in its chain.
func (r *redactor) scrub(e *Error) {
	if !r.active() {
		return
	}
	e.Message = r.text(e.Message)
	e.Body = r.text(e.Body)
	e.RequestID = r.text(e.RequestID)
	if e.Err == nil {
		return
	}
	text := e.Err.Error()
	clean := r.text(text)
	if clean == text {
		return
	}
	var re *redirectError
	if errors.As(e.Err, &re) {
		re.from, re.to = r.text(re.from), r.text(re.to)
	}
	var ue *url.Error
	if errors.As(e.Err, &ue) {
		ue.URL = r.text(ue.URL)
		if t := ue.Err.Error(); r.text(t) != t {
			ue.Err = &redactedError{ue.Err, r.text(t)}
		}
	}
	e.Err = &redactedError{e.Err, clean}
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
