package specload

import (
	"testing"

	"github.com/anam-ai/anam-go/spec"
)

// TestLoadPreparedIsTheDocument: Load's faster path loads the document
// LoadBytes loads.
func TestLoadPreparedIsTheDocument(t *testing.T) {
	a, err := loadPrepared(false)
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
		t.Error("loadPrepared and LoadBytes load different documents")
	}
	if c, err := Load(); err != nil || c == nil {
		t.Errorf("Load: %v", err)
	}
}

// BenchmarkLoad compares loading the embedded document as Load and
// LoadLean do with loading it with LoadBytes, as it is embedded, the
// baseline.
func BenchmarkLoad(b *testing.B) {
	b.Run("LoadBytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := LoadBytes(spec.Prepared, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, lean := range []bool{false, true} {
		b.Run(map[bool]string{false: "Load", true: "LoadLean"}[lean], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := loadPrepared(lean); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
