package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../../.."

func seedFiles(t *testing.T) []string {
	t.Helper()
	seeds, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "seed", "pages", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(seeds) == 0 {
		t.Fatal("no testdata/seed/pages/*.txt")
	}
	return seeds
}

func TestSeedsMergeToVendoredSpec(t *testing.T) {
	seeds := seedFiles(t)
	var docs [][]byte
	for _, s := range slices.Sorted(slices.Values(seeds)) {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	merged, err := Merge(docs...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "seed", "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(merged, want) {
		t.Errorf("merging testdata/seed/pages/*.txt does not give testdata/seed/swagger.json byte for byte (first difference at byte %d); run `make merge-spec`",
			firstDiff(merged, want))
	}

	// -check agrees, whatever order the seeds are named in.
	if err := run(filepath.Join(repoRoot, "testdata", "seed", "swagger.json"), true, reversed(seeds)); err != nil {
		t.Errorf("run -check: %v", err)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// seed wraps an OpenAPI document in a page the way Anam publishes it.
func seed(doc string) []byte {
	return []byte("# an operation\n\n> Its description\n\n## OpenAPI\n\n````yaml https://api.anam.ai/swagger.json get /x\n" +
		doc + "````\n")
}

const seedA = `openapi: 3.1.0
info:
  title: Anam AI API
  version: '1.0'
paths:
  /v1/avatars:
    get:
      summary: list avatars
      operationId: listAvatars
components:
  schemas:
    Avatar:
      type: object
      properties:
        id: {type: string, format: uuid}
        videoUrl: {type: [string, 'null']}
`

const seedB = `openapi: 3.1.0
info:
  title: Anam AI API
  version: '1.0'
paths:
  /v1/avatars/{id}:
    get:
      summary: get avatar
      operationId: getAvatar
components:
  schemas:
    Avatar:
      type: object
      properties:
        id: {type: string, format: uuid}
        videoUrl: {type: [string, 'null']}
    Pagination:
      type: object
      properties:
        next: {type: [integer, 'null'], example: null}
        total: {type: integer, example: 10, minimum: 0.5, default: true}
`

func TestMergeUnitesSeeds(t *testing.T) {
	got, err := Merge(seed(seedA), seed(seedB))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{
  "openapi": "3.1.0",
  "info": {
    "title": "Anam AI API",
    "version": "1.0"
  },
  "paths": {
    "/v1/avatars": {
      "get": {
        "summary": "list avatars",
        "operationId": "listAvatars"
      }
    },
    "/v1/avatars/{id}": {
      "get": {
        "summary": "get avatar",
        "operationId": "getAvatar"
      }
    }
  },
  "components": {
    "schemas": {
      "Avatar": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "videoUrl": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "Pagination": {
        "type": "object",
        "properties": {
          "next": {
            "type": [
              "integer",
              "null"
            ],
            "example": null
          },
          "total": {
            "type": "integer",
            "example": 10,
            "minimum": 0.5,
            "default": true
          }
        }
      }
    }
  }
}
`
	if string(got) != want {
		t.Errorf("Merge =\n%s\nwant\n%s", got, want)
	}
}

func TestMergeConflictNamesJSONPath(t *testing.T) {
	for name, c := range map[string]struct {
		other, want string
	}{
		"scalar": {
			other: strings.Replace(seedB, "version: '1.0'", "version: '1.1'", 1),
			want:  "seed 2: conflicting values at /info/version",
		},
		"key with slashes": {
			other: strings.Replace(seedA, "summary: list avatars", "summary: list all avatars", 1),
			want:  "seed 2: conflicting values at /paths/~1v1~1avatars/get/summary",
		},
		"type of a value": {
			other: strings.Replace(seedB, "id: {type: string, format: uuid}", "id: {type: [string], format: uuid}", 1),
			want:  "conflicting values at /components/schemas/Avatar/properties/id/type",
		},
		"string against number": {
			other: strings.Replace(seedB, "version: '1.0'", "version: 1.0", 1),
			want:  "conflicting values at /info/version",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Merge(seed(seedA), seed(c.other))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Merge error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestMergeRejectsBadSeeds(t *testing.T) {
	for name, c := range map[string]struct {
		seeds [][]byte
		want  string
	}{
		"no yaml fence": {
			seeds: [][]byte{seed(seedA), []byte("# get avatar\n\nJust prose, and a ```json fence:\n```json\n{}\n```\n")},
			want:  "seed 2: no ```yaml fence holding an OpenAPI document",
		},
		"unclosed fence": {
			seeds: [][]byte{[]byte("````yaml\n" + seedA)},
			want:  "seed 1: the ```yaml fence is not closed",
		},
		"not a mapping": {
			seeds: [][]byte{seed("- a\n- b\n")},
			want:  "seed 1: the OpenAPI document is not a YAML mapping",
		},
		"not YAML": {
			seeds: [][]byte{seed(seedA), seed("openapi: [3.1.0\n")},
			want:  "seed 2: ",
		},
		"no seeds": {want: "no seed documents"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Merge(c.seeds...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Merge error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestRunWritesAndChecks(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "000_a.txt"), filepath.Join(dir, "001_b.txt")
	for name, data := range map[string][]byte{a: seed(seedA), b: seed(seedB)} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "swagger.json")
	if err := run(out, true, []string{a, b}); err == nil {
		t.Error("-check passed with no output file")
	}
	if err := run(out, false, []string{b, a}); err != nil {
		t.Fatal(err)
	}
	if err := run(out, true, []string{a, b}); err != nil {
		t.Errorf("-check after writing: %v", err)
	}
	if err := os.WriteFile(out, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(out, true, []string{a, b}); err == nil || !strings.Contains(err.Error(), "is not what the seed documents produce") {
		t.Errorf("-check of a stale file: %v", err)
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
