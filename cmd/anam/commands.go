package main

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/internal/climeta"
)

// The command tree is derived from the spec with no code per operation:
// every operation is `anam <group> <name>`, where group is its first tag
// and name its operationId, both kebab-cased ("Share Links" -> share-links,
// an operationId getThingReport -> get-thing-report). An operation with no tag
// is in the group "other". An operation that is one of the five usual
// verbs on its group's main resource also answers to that verb (see
// verbFor).

// untaggedGroup is the group of operations that have no tag.
const untaggedGroup = "other"

// builtinGroups are the command line's own commands. A tag of the same
// name is given the suffix "-api" (a tag "Auth" becomes the group
// auth-api), so that neither hides the other.
var builtinGroups = []string{"auth", "fake", "completion", "help", "version"}

// group is the commands of one tag.
type group struct {
	name  string // kebab-cased tag, e.g. "share-links"
	tag   string // the tag as the spec writes it, e.g. "Share Links"
	about string // the tag's description in the spec, if any
	cmds  []*command
}

// command is one operation of the spec as a command.
type command struct {
	group *group
	name  string // kebab-cased operationId
	verb  string // list, get, create, update or delete; "" when none
	op    *api.Operation
	meta  *climeta.Op // never nil: empty when the catalog does not have the operation
}

// lookup finds a command of g by name or verb.
func (g *group) lookup(word string) *command {
	for _, c := range g.cmds {
		if c.name == word || c.verb == word {
			return c
		}
	}
	return nil
}

// tree is every group, in the order the spec's tags are declared (then by
// name for tags that are used but not declared).
type tree struct {
	groups []*group
}

func (t *tree) lookup(name string) *group {
	for _, g := range t.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// buildTree derives the command tree from the operations the SDK was
// generated from and the catalog generated from the same document.
func buildTree(ops []*api.Operation, cat *climeta.Catalog) *tree {
	t := &tree{}
	byName := map[string]*group{}
	for _, op := range ops {
		tag := op.Tag
		name := kebab(tag)
		if name == "" {
			name = untaggedGroup
		}
		if slices.Contains(builtinGroups, name) {
			name += "-api"
		}
		g := byName[name]
		if g == nil {
			g = &group{name: name, tag: tag}
			byName[name] = g
			t.groups = append(t.groups, g)
		}
		c := &command{group: g, name: kebab(op.ID), op: op, meta: &climeta.Op{ID: op.ID}}
		if m, ok := cat.Op(op.ID); ok {
			c.meta = m
		}
		g.cmds = append(g.cmds, c)
	}
	order := map[string]int{}
	for i, tg := range cat.Tags {
		order[tg.Name] = i
		for _, g := range t.groups {
			if g.tag == tg.Name {
				g.about = tg.About
			}
		}
	}
	slices.SortStableFunc(t.groups, func(a, b *group) int {
		ia, oka := order[a.tag]
		ib, okb := order[b.tag]
		switch {
		case oka && okb:
			return cmp.Compare(ia, ib)
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.name, b.name)
	})
	for _, g := range t.groups {
		assignVerbs(g)
	}
	return t
}

// assignVerbs gives the usual verbs to the operations on the group's main
// resource. The main resource is the group's collection path (a path with
// no parameter) with the fewest segments, then the shortest, then the
// first in sort order, e.g. /v1/knowledge/groups for the Knowledge tag; its
// item path is the collection path followed by one parameter segment.
// GET collection is list, POST collection create, GET item get, PUT or
// PATCH item update (PATCH if both), DELETE item delete. A verb that is
// also the full name of another command of the group is not given.
func assignVerbs(g *group) {
	var main string
	for _, c := range g.cmds {
		p := c.op.Path
		if strings.Contains(p, "{") {
			continue
		}
		if main == "" || segments(p) < segments(main) ||
			segments(p) == segments(main) && (len(p) < len(main) || len(p) == len(main) && p < main) {
			main = p
		}
	}
	if main == "" {
		return
	}
	taken := map[string]bool{}
	for _, c := range g.cmds {
		taken[c.name] = true
	}
	give := func(c *command, verb string) {
		if taken[verb] {
			return
		}
		for _, o := range g.cmds {
			if o.verb == verb {
				if verb == "update" && c.op.Method == "PATCH" {
					o.verb = ""
					break
				}
				return
			}
		}
		c.verb = verb
	}
	for _, c := range g.cmds {
		switch {
		case c.op.Path == main && c.op.Method == "GET":
			give(c, "list")
		case c.op.Path == main && c.op.Method == "POST":
			give(c, "create")
		case isItemOf(c.op.Path, main):
			switch c.op.Method {
			case "GET":
				give(c, "get")
			case "PUT", "PATCH":
				give(c, "update")
			case "DELETE":
				give(c, "delete")
			}
		}
	}
}

func segments(p string) int { return strings.Count(strings.Trim(p, "/"), "/") + 1 }

// isItemOf reports whether p is collection/{param}.
func isItemOf(p, collection string) bool {
	rest, ok := strings.CutPrefix(p, collection+"/{")
	return ok && strings.HasSuffix(rest, "}") && !strings.ContainsAny(rest[:len(rest)-1], "/{}")
}

// kebab turns a tag or an identifier into a command or flag name:
// "Share Links" -> "share-links", "getThingReport" ->
// "get-thing-report", "LLMs" -> "llms", "apiKeyId" -> "api-key-id",
// "HTTPServer" -> "http-server".
func kebab(s string) string {
	rs := []rune(strings.TrimSpace(s))
	b := make([]byte, 0, len(s)+8)
	dash := func() {
		if len(b) > 0 && b[len(b)-1] != '-' {
			b = append(b, '-')
		}
	}
	for i, r := range rs {
		switch {
		case r == ' ' || r == '_' || r == '-' || r == '.' || r == '/':
			dash()
		case unicode.IsUpper(r):
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			acronymEnd := i > 0 && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) &&
				// "LLMs": a plural s after an acronym stays with it.
				!(rs[i+1] == 's' && (i+2 == len(rs) || !unicode.IsLetter(rs[i+2])))
			if prevLower || acronymEnd {
				dash()
			}
			b = utf8.AppendRune(b, unicode.ToLower(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	return strings.Trim(string(b), "-")
}

// firstLine is the first non-empty line of a description.
func firstLine(s string) string {
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// stopVerbs are the last path segments of actions that end or undo
// something: POST /v1/sessions/{id}/stop, /cancel...
var stopVerbs = []string{"stop", "cancel", "end", "terminate", "abort", "kill", "revoke", "delete", "remove", "purge", "reset"}

// destructive reports whether the command deletes or ends something, by
// rule from its operation: the DELETE method, or a path whose last segment
// is a literal verb of stopVerbs. Such a command asks for confirmation
// (see confirm).
func (c *command) destructive() bool {
	if c.op.Method == "DELETE" {
		return true
	}
	last := c.op.Path[strings.LastIndexByte(c.op.Path, '/')+1:]
	return !strings.Contains(last, "{") && slices.Contains(stopVerbs, strings.ToLower(last))
}

// paramAbout is the description of a path or query parameter, "" when the
// spec has none.
func (c *command) paramAbout(in, name string) string {
	for _, p := range c.meta.Params {
		if p.In == in && p.Name == name {
			return p.About
		}
	}
	return ""
}

// path is how the command is typed, e.g. "avatars get".
func (c *command) path() string { return c.group.name + " " + c.name }
