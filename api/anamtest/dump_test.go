package anamtest

import (
	"os"
	"testing"

	"github.com/anam-ai/anam-go/internal/specload"
)

func TestDumpJuly(t *testing.T) {
	b, err := os.ReadFile("../../../shared/upstream/anam-swagger-2026-07.json")
	if err != nil {
		t.Skip(err)
	}
	doc, err := specload.LoadBytes(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := indexFor(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range ix.routes {
		k := ""
		if rt.res != nil {
			k = rt.res.key
		}
		p := ""
		if rt.parent != nil {
			p = rt.parent.key
		}
		t.Logf("%-6s %-45s %-30s %-7s res=%s parent=%s status=%d", rt.method, rt.path, rt.id, rt.kind, k, p, rt.status)
		if rt.list != nil {
			t.Logf("      list %+v", *rt.list)
		}
	}
	for _, r := range ix.resources {
		t.Logf("res %s item=%s id=%s link=%s names=%v ts=%v views=%d examples=%d", r.key, r.itemPath, r.idField, r.link, r.nameFields, r.timestamps, len(r.views), len(r.examples))
	}
}
