package specload

import (
	"testing"

	"github.com/anam-ai/anam-go/spec"
)

// TestLoadPreparedIsTheDocument: compacting the embedded document before
// loading it changes nothing in what is loaded.
func TestLoadPreparedIsTheDocument(t *testing.T) {
	a, err := loadPrepared()
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadBytes(spec.Prepared, nil)
	if err != nil {
		t.Fatal(err)
	}
	ja, err := a.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	jb, err := b.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(ja) != string(jb) {
		t.Error("the compacted document loads differently from the indented one")
	}
	if c, err := Load(); err != nil || c == nil {
		t.Errorf("Load: %v", err)
	}
}

// BenchmarkLoad compares loading the embedded document as Load does
// (compacted) with loading it as it is embedded (indented), the baseline.
func BenchmarkLoad(b *testing.B) {
	b.Run("indented", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := LoadBytes(spec.Prepared, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compacted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := loadPrepared(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
