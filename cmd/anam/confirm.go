package main

import (
	"bufio"
	"fmt"
	"strings"
)

// failure is a run that ends with a message and exit 1 without an error
// of the API: a declined confirmation (nothing was sent), or `auth status`
// with no key.
type failure struct{ msg string }

func (e failure) Error() string { return e.msg }

// confirm asks before a destructive command (see command.destructive) is
// sent: on a terminal it asks, and anything but y or yes declines;
// without a terminal it refuses with a usage error, exit 2, unless --yes.
func (a *app) confirm(c *command, cf *commandFlags, args []string) error {
	if cf.yes {
		return nil
	}
	what := c.op.Method + " " + expandPath(c.op.Path, args)
	if !a.e.stdinTTY || !a.e.stderrTTY {
		return usageError{msg: fmt.Sprintf("%s (%s) deletes or stops something, and there is no terminal to confirm it on: pass --yes to do it; nothing was sent", c.path(), sanitize(what)), cmd: c.path()}
	}
	fmt.Fprintf(a.e.stderr, "%s %s? This cannot be undone. [y/N] ",
		a.colour(true, yellow, sanitize(c.op.Summary)), sanitize("("+what+")"))
	type answer struct {
		line string
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(a.e.stdin).ReadString('\n')
		ch <- answer{line, err}
	}()
	var line string
	select {
	case ans := <-ch:
		if ans.err != nil && ans.line == "" {
			fmt.Fprintln(a.e.stderr)
			return failure{"not confirmed: nothing was sent"}
		}
		line = ans.line
	case <-a.ctx.Done():
		fmt.Fprintln(a.e.stderr)
		return fmt.Errorf("nothing was sent: %w", a.ctx.Err())
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return failure{"not confirmed: nothing was sent"}
}

// expandPath is the path template with the arguments in place, for the
// confirmation question.
func expandPath(tmpl string, args []string) string {
	var b strings.Builder
	i := 0
	for {
		open := strings.IndexByte(tmpl, '{')
		end := strings.IndexByte(tmpl, '}')
		if open < 0 || end < open || i >= len(args) {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:open])
		b.WriteString(args[i])
		i++
		tmpl = tmpl[end+1:]
	}
}
