package speccheck

import (
	"fmt"
	"io"

	"github.com/anam-ai/anam-go/internal/yamltree"
)

// Pruned is what Prune makes of the overlay and the tolerated list for a new
// upstream document.
type Pruned struct {
	// Overlay and Tolerated are the overlay and the tolerated list without
	// what no longer applies, their text otherwise unchanged.
	Overlay, Tolerated []byte
	// Removed are the overlay actions that no longer apply: upstream
	// changed or fixed what they patched.
	Removed []Action
	// RemovedTolerated are the tolerated entries that match no finding.
	RemovedTolerated []Tolerated
	// Report is the check of the document with Overlay and Tolerated.
	Report *Report
}

// Prune checks doc with the overlay and the tolerated list, removes the
// overlay actions that no longer apply (Report.Obsolete) and the tolerated
// entries that match nothing (Report.Stale), and checks again with what is
// left. This is how `make update-spec` treats a new upstream document: what
// upstream changed or fixed never blocks the update; it is listed and
// removed in the same change, for the maintainer to review.
//
// The error is for input Check cannot judge, or an overlay or list whose
// text cannot be edited (it is not a block-style YAML list).
func Prune(doc, overlayDoc, tolerated []byte) (*Pruned, error) {
	r, err := Check(doc, overlayDoc, tolerated)
	if err != nil {
		return nil, err
	}
	p := &Pruned{Overlay: overlayDoc, Tolerated: tolerated, Removed: r.Obsolete(), RemovedTolerated: r.Stale}
	var drop []int
	for _, a := range p.Removed {
		drop = append(drop, a.Index)
	}
	if p.Overlay, err = yamltree.RemoveItems(overlayDoc, "actions", drop); err != nil {
		return nil, fmt.Errorf("remove the overlay actions that no longer apply: %w", err)
	}
	drop = drop[:0]
	for _, t := range p.RemovedTolerated {
		drop = append(drop, t.Index)
	}
	if p.Tolerated, err = yamltree.RemoveItems(tolerated, "tolerated", drop); err != nil {
		return nil, fmt.Errorf("remove the tolerated entries that match nothing: %w", err)
	}
	if len(p.Removed) == 0 && len(p.RemovedTolerated) == 0 {
		p.Report = r
		return p, nil
	}
	if p.Report, err = Check(doc, p.Overlay, p.Tolerated); err != nil {
		return nil, fmt.Errorf("check with the pruned overlay: %w", err)
	}
	if n := len(p.Report.Obsolete()) + len(p.Report.Stale); n > 0 {
		return nil, fmt.Errorf("after pruning, %d overlay action(s) or tolerated entries still do not apply", n)
	}
	return p, nil
}

// WriteMarkdown writes the report's Markdown section (see
// Report.WriteMarkdown), listing what Prune removed under "No longer
// applies".
func (p *Pruned) WriteMarkdown(w io.Writer) error {
	return p.Report.writeMarkdown(w, p.Removed, p.RemovedTolerated)
}
