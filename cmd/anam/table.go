package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// jsonLines prints items as JSON Lines: each item compacted onto one line,
// its content as sent.
type jsonLines struct {
	w    *bufio.Writer
	line []byte
}

func (j *jsonLines) emit(item json.RawMessage) error {
	j.line = append(appendCompact(j.line[:0], item), '\n')
	_, err := j.w.Write(j.line)
	return err
}

// appendCompact appends the JSON value src to dst without its
// insignificant white space. src must be valid JSON, as the SDK's decoder
// (which checked the page it comes from) hands items over: this copies it,
// skipping the white space outside strings, rather than scanning its
// grammar again as json.Compact does.
func appendCompact(dst, src []byte) []byte {
	inString := false
	start := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			dst = append(dst, src[start:i]...)
			start = i + 1
		}
	}
	return append(dst, src[start:]...)
}

// streamTable prints items as a table as they come, in constant memory:
// the column widths are fixed by the first rows (up to one page), and a
// longer cell later is cut to its column's width.
type streamTable struct {
	w       *bufio.Writer
	bold    bool // the header in bold (a terminal)
	cols    []column
	choose  func(first json.RawMessage) []column
	pending [][]string
	widths  []int
	started bool
}

// headRows is how many rows fix the column widths.
const headRows = 100

func (t *streamTable) emit(item json.RawMessage) error {
	if t.cols == nil {
		t.cols = t.choose(item)
	}
	row := cells(t.cols, item)
	if t.started {
		return t.write(row)
	}
	t.pending = append(t.pending, row)
	if len(t.pending) >= headRows {
		return t.start()
	}
	return nil
}

// start fixes the widths and writes the header and the rows so far.
func (t *streamTable) start() error {
	t.started = true
	t.widths = make([]int, len(t.cols))
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.title
		t.widths[i] = utf8.RuneCountInString(c.title)
		for _, r := range t.pending {
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	if t.bold {
		t.w.WriteString(boldOn)
	}
	if err := t.write(titles); err != nil {
		return err
	}
	if t.bold {
		// Reset after the header line.
		t.w.WriteString(boldOff)
	}
	for _, r := range t.pending {
		if err := t.write(r); err != nil {
			return err
		}
	}
	t.pending = nil
	return nil
}

func (t *streamTable) write(row []string) error {
	var b strings.Builder
	for i, cell := range row {
		if i == len(row)-1 {
			b.WriteString(cut(cell, max(t.widths[i], cellWidth)))
			break
		}
		cell = cut(cell, t.widths[i])
		b.WriteString(cell)
		b.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(cell)+2))
	}
	b.WriteByte('\n')
	_, err := t.w.WriteString(b.String())
	return err
}

// flush writes what is pending; it is called after every page.
func (t *streamTable) flush() error {
	if !t.started && len(t.pending) > 0 && t.cols != nil {
		if err := t.start(); err != nil {
			return err
		}
	}
	return t.w.Flush()
}
