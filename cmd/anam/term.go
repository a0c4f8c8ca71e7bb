package main

import (
	"fmt"
	"time"
)

// ANSI styles, written only to a terminal (see colourOn).
const (
	boldOn  = "\x1b[1m"
	boldOff = "\x1b[0m"
	red     = "\x1b[31m"
	yellow  = "\x1b[33m"
	reset   = "\x1b[0m"
)

// colourOn reports whether a stream may be styled: it is a terminal, and
// neither NO_COLOR (https://no-color.org) nor TERM=dumb says otherwise.
func (a *app) colourOn(tty bool) bool {
	return tty && a.e.getenv("NO_COLOR") == "" && a.e.getenv("TERM") != "dumb"
}

// colour styles s for a stream that is a terminal when tty.
func (a *app) colour(tty bool, style, s string) string {
	if !a.colourOn(tty) {
		return s
	}
	return style + s + reset
}

// progress is the one-line report of a long --all walk on stderr: items,
// pages and rate. It is shown only when stdout and stderr are both
// terminals (a person is watching, and the items are not going to a file
// or a pipe), and redrawn at most ten times a second.
type progress struct {
	a       *app
	on      bool
	start   time.Time
	last    time.Time
	showing bool
}

// progressAfter is how long a walk runs before its progress is shown: a
// short listing shows none.
const progressAfter = 200 * time.Millisecond

func (a *app) newProgress() *progress {
	now := a.e.now()
	return &progress{a: a, on: a.e.stdoutTTY && a.e.stderrTTY, start: now}
}

// page reports that page (of last, 0 when unknown) was printed, with n
// items so far.
func (p *progress) page(page, last, n int) {
	if !p.on {
		return
	}
	now := p.a.e.now()
	if now.Sub(p.start) < progressAfter || now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	pages := fmt.Sprintf("page %d", page)
	if last > 0 {
		pages = fmt.Sprintf("page %d of %d", page, last)
	}
	rate := float64(n) / now.Sub(p.start).Seconds()
	fmt.Fprintf(p.a.e.stderr, "\r\x1b[K%s", p.a.colour(true, yellow, fmt.Sprintf("%d items, %s, %.0f items/s", n, pages, rate)))
	p.showing = true
}

// clear removes the progress line, before more items are printed.
func (p *progress) clear() {
	if p.showing {
		fmt.Fprint(p.a.e.stderr, "\r\x1b[K")
		p.showing = false
	}
}
