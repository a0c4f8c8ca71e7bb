package speccheck

import (
	"cmp"
	"slices"
)

// Severity says whether a finding fails the check.
type Severity int

const (
	// Blocking findings fail the check unless an overlay action resolves
	// them or a tolerated entry accepts them with a reason.
	Blocking Severity = iota + 1
	// Notice findings are reported, with counts and locations, but never
	// fail the check and need no tolerated entry: they describe how the
	// generator will see the document, not a defect that changes what it
	// means.
	Notice
)

// String returns "blocking" or "notice".
func (s Severity) String() string {
	switch s {
	case Blocking:
		return "blocking"
	case Notice:
		return "notice"
	}
	return "unknown severity"
}

// notices are the rules whose findings are notices; every other rule is
// blocking.
var notices = map[string]bool{
	RuleInlineSchema:             true,
	RuleErrorResponseWithoutBody: true,
}

// SeverityOf returns the severity of a rule's findings. RuleInlineSchema
// and RuleErrorResponseWithoutBody are notices: the generator's naming rule
// names inline schemas, and api/ reads error bodies without a schema. Every
// other rule, an unknown one included, is blocking.
func SeverityOf(rule string) Severity {
	if notices[rule] {
		return Notice
	}
	return Blocking
}

// Severity returns the severity of the finding's rule.
func (f Finding) Severity() Severity { return SeverityOf(f.Rule) }

// ruleRank orders rules as Rules lists them, unknown ones last.
func ruleRank(rule string) int {
	if i := slices.Index(Rules, rule); i >= 0 {
		return i
	}
	return len(Rules)
}

// sortFindings orders findings for people: blocking before notices, then by
// rule (in the order of Rules), then by location.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Severity(), b.Severity()),
			cmp.Compare(ruleRank(a.Rule), ruleRank(b.Rule)),
			cmp.Compare(a.Location, b.Location),
			cmp.Compare(a.Message, b.Message))
	})
}
