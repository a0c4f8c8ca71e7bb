// Package climeta holds what the anam command line knows of the spec beyond
// api.Operations: descriptions, request body fields, table columns and the
// declared tags. internal/cligen derives it from the prepared document at
// `go generate` time and writes it into catalog.gen.go as plain Go data, so
// that the command line starts without loading the document (kin-openapi's
// load of it took 52 ms and 9.7 MiB on every command).
//
// The package has no dependencies: it is linked into the command line.
package climeta

import (
	"cmp"
	"slices"
)

// Catalog is the command line's view of one document.
type Catalog struct {
	Tags []Tag // the document's declared tags, in its order
	Ops  []Op  // sorted by ID
}

// Tag is a declared tag with the first line of its description.
type Tag struct {
	Name, About string
}

// Op is what the command line shows and checks of one operation, besides
// its api.Operation.
type Op struct {
	ID          string
	Description string  // the operation's description, when it says more than its summary
	Params      []Param // the path and query parameters' descriptions
	JSON        []Field // the top-level fields of the application/json body
	Form        []Field // the top-level fields of the multipart/form-data body
	Columns     []string
	// Columns are the fields a table of its result shows, chosen by
	// ChooseColumns from the schema of the result's items (a list's items,
	// or the object itself); nil when the schema names no field.
}

// Param is a parameter's description.
type Param struct {
	Name, In, About string // In is "path" or "query"
}

// Field is a top-level field of a request body.
type Field struct {
	Name     string
	Type     string // string, integer, number, boolean, object, array, file (binary) or any
	Required bool
	Enum     []string // for a string field
	About    string   // the first line of its description
}

// Scalar reports whether the field is a single string, number, integer or
// boolean: one that a flag can give.
func (f Field) Scalar() bool {
	switch f.Type {
	case "string", "integer", "number", "boolean":
		return true
	}
	return false
}

// Op returns the operation with the given ID.
func (c *Catalog) Op(id string) (*Op, bool) {
	i, ok := slices.BinarySearchFunc(c.Ops, id, func(o Op, id string) int { return cmp.Compare(o.ID, id) })
	if !ok {
		return nil, false
	}
	return &c.Ops[i], true
}

// Candidate is a field that could be a table column.
type Candidate struct {
	Name       string
	Scalar     bool // a string, number, integer or boolean
	EnumString bool // a string with a closed set of values
}

// ChooseColumns picks a table's columns, in this order, each when there is
// one: an identifier (id, sessionId, uuid, key), a name (displayName, name,
// title...), a status (status, state... else the first string enum), and a
// creation time. With none of these, the first four scalar fields by name.
// cands must be sorted by name.
func ChooseColumns(cands []Candidate) []string {
	has := func(n string) bool {
		return slices.ContainsFunc(cands, func(c Candidate) bool { return c.Name == n })
	}
	var cols []string
	pick := func(names ...string) bool {
		for _, n := range names {
			if has(n) {
				cols = append(cols, n)
				return true
			}
		}
		return false
	}
	pick("id", "sessionId", "uuid", "key")
	pick("displayName", "name", "title", "filename", "label", "personaName", "token", "meetingUrl")
	if !pick("status", "state", "joinState", "exitStatus") {
		for _, c := range cands {
			if c.EnumString {
				cols = append(cols, c.Name)
				break
			}
		}
	}
	pick("createdAt", "created_at", "startTime", "created")
	if len(cols) > 0 {
		return cols
	}
	for _, c := range cands {
		if c.Scalar {
			cols = append(cols, c.Name)
		}
		if len(cols) == 4 {
			break
		}
	}
	return cols
}
