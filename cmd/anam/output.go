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

	"github.com/getkin/kin-openapi/openapi3"
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

// chooseColumns picks a table's columns from the item schema: the id, a
// name-like field, a status-like field and the creation time, those that
// the schema has. With no schema (or none of these), it falls back to the
// first scalar fields of the first item.
func chooseColumns(item *openapi3.Schema, first json.RawMessage) []column {
	props := properties(item)
	if len(props) == 0 && len(first) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(first, &obj) == nil {
			for k := range obj {
				props[k] = nil
			}
		}
	}
	var cols []column
	pick := func(names ...string) bool {
		for _, n := range names {
			if _, ok := props[n]; ok {
				cols = append(cols, column{n, titleOf(n)})
				return true
			}
		}
		return false
	}
	pick("id", "sessionId", "uuid", "key")
	pick("displayName", "name", "title", "filename", "label", "personaName", "token", "meetingUrl")
	if !pick("status", "state", "joinState", "exitStatus") {
		for _, n := range slices.Sorted(maps.Keys(props)) {
			if s := props[n]; s != nil && len(s.Enum) > 0 {
				if k, ok := scalarKind(s); ok && k == kindString {
					pick(n)
					break
				}
			}
		}
	}
	pick("createdAt", "created_at", "startTime", "created")
	if len(cols) > 0 {
		return cols
	}
	for _, n := range slices.Sorted(maps.Keys(props)) {
		if s := props[n]; s == nil {
			cols = append(cols, column{n, titleOf(n)})
		} else if _, ok := scalarKind(s); ok {
			cols = append(cols, column{n, titleOf(n)})
		}
		if len(cols) == 4 {
			break
		}
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

// printTable prints items as a table with a header.
func printTable(w io.Writer, cols []column, items []json.RawMessage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	fmt.Fprintln(tw, strings.Join(titles, "\t"))
	for _, it := range items {
		fmt.Fprintln(tw, strings.Join(cells(cols, it), "\t"))
	}
	return tw.Flush()
}

// printObject prints a JSON object as "field: value" lines in the order
// the server sent them; a nested value is shown as compact JSON, cut. An
// array is printed as a table; anything else as compact JSON.
func printObject(w io.Writer, body []byte, item *openapi3.Schema) error {
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
		if err := printTable(w, chooseColumns(item, first), items); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\n%d %s\n", len(items), plural(len(items), "item"))
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

// responseSchema is the schema of the operation's first 2xx JSON response.
func responseSchema(c *command) *openapi3.Schema {
	if c.spec == nil || c.spec.Responses == nil {
		return nil
	}
	for _, code := range []string{"200", "201", "202"} {
		r := c.spec.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}

// itemSchema is the schema of one item of a list response: the items of
// an array, or of the data array of a {data, meta} envelope.
func itemSchema(s *openapi3.Schema) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if s.Items != nil {
		return s.Items.Value
	}
	if d := properties(s)["data"]; d != nil && d.Items != nil {
		return d.Items.Value
	}
	return nil
}
