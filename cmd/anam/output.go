package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/anam-ai/anam-go/internal/climeta"
)

// sanitize makes server text safe to show on a terminal: control
// characters (C0 but for none, DEL, C1: ESC, OSC, \r, \n, \t...), Unicode
// bidirectional overrides and invalid UTF-8 are shown as Go escapes (\x1b,
// \u202e) instead of being written, so that data such as a display name
// cannot move the cursor, rewrite the screen, set the clipboard (OSC 52) or
// break a table's layout.
func sanitize(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f
}

// writeRaw prints a response body exactly as the server sent it, ending
// the output with a newline if the body does not; an empty body prints
// nothing.
func writeRaw(w io.Writer, body []byte) error {
	if len(body) == 0 {
		return nil
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if body[len(body)-1] != '\n' {
		_, err := io.WriteString(w, "\n")
		return err
	}
	return nil
}

// cellWidth bounds a table cell; longer text is cut with an ellipsis.
const cellWidth = 48

// column is one column of a table: a top-level field of the items.
type column struct {
	field, title string
}

// chooseColumns is a table's columns: those the catalog chose from the
// spec's schema for the command's result, else the same rule applied to
// the first item's fields (climeta.ChooseColumns).
func chooseColumns(c *command, first json.RawMessage) []column {
	names := c.meta.Columns
	if len(names) == 0 && len(first) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(first, &obj) == nil {
			var cands []climeta.Candidate
			for _, k := range slices.Sorted(maps.Keys(obj)) {
				v := bytes.TrimSpace(obj[k])
				scalar := len(v) > 0 && v[0] != '{' && v[0] != '['
				cands = append(cands, climeta.Candidate{Name: k, Scalar: scalar})
			}
			names = climeta.ChooseColumns(cands)
		}
	}
	cols := make([]column, len(names))
	for i, n := range names {
		cols[i] = column{n, titleOf(n)}
	}
	return cols
}

// titleOf is a column title: displayName -> DISPLAY NAME, id -> ID.
func titleOf(field string) string {
	return strings.ToUpper(strings.ReplaceAll(kebab(field), "-", " "))
}

// cells are the texts of one item's columns.
func cells(cols []column, item json.RawMessage) []string {
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(item, &obj)
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = cut(valueText(obj[c.field]), cellWidth)
	}
	return out
}

// valueText shows a JSON value in a cell: a string as its text, null or
// absent as "-", anything else as compact JSON; always sanitized.
func valueText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return "-"
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			if s == "" {
				return "-"
			}
			return sanitize(s)
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, v) == nil {
		return sanitize(b.String())
	}
	return sanitize(string(v))
}

// cut shortens s to n runes, ending it with an ellipsis when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// printTable prints items as a table with a header, in bold when bold.
func printTable(w io.Writer, cols []column, items []json.RawMessage, bold bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.StripEscape)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
		if bold {
			// Escaped so that tabwriter does not count the escape codes.
			titles[i] = "\xff" + boldOn + "\xff" + c.title + "\xff" + boldOff + "\xff"
		}
	}
	fmt.Fprintln(tw, strings.Join(titles, "\t"))
	for _, it := range items {
		fmt.Fprintln(tw, strings.Join(cells(cols, it), "\t"))
	}
	return tw.Flush()
}

// printObject prints a JSON object as "field: value" lines in the order
// the server sent them; a nested value is shown as compact JSON, cut. An
// array is printed as a table (its count on stderr); anything else as
// compact JSON.
func printObject(w, stderr io.Writer, body []byte, c *command, bold bool) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	switch body[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return fmt.Errorf("the response is not the JSON the spec documents: %w", err)
		}
		var first json.RawMessage
		if len(items) > 0 {
			first = items[0]
		}
		if err := printTable(w, chooseColumns(c, first), items, bold); err != nil {
			return err
		}
		_, err := fmt.Fprintf(stderr, "%d %s\n", len(items), plural(len(items), "item"))
		return err
	case '{':
	default:
		_, err := fmt.Fprintln(w, valueText(body))
		return err
	}
	keys, values, err := orderedFields(body)
	if err != nil {
		return fmt.Errorf("the response is not the JSON the spec documents: %w", err)
	}
	if len(keys) == 1 && keys[0] == "message" {
		_, err := fmt.Fprintln(w, valueText(values[0]))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, k := range keys {
		fmt.Fprintf(tw, "%s:\t%s\n", sanitize(k), cut(valueText(values[i]), 100))
	}
	return tw.Flush()
}

// orderedFields returns an object's fields in the order they were sent.
func orderedFields(obj []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	var keys []string
	var values []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, values = append(keys, k), append(values, v)
	}
	return keys, values, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
