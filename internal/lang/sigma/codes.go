package sigma

// Diagnostic codes of the Sigma front end. They are stable: tools and tests
// may rely on them. 1xxx are syntax errors (YAML, conditions), 2xxx problems
// in the rule's structure or values, 3xxx quality remarks (warnings).
const (
	// CodeYAML: the file is not valid YAML.
	CodeYAML = "SIGMA1001"
	// CodeCondition: a condition has a syntax error.
	CodeCondition = "SIGMA1002"
	// CodeNotMapping: a YAML document is not a mapping of keys.
	CodeNotMapping = "SIGMA1003"
	// CodeDuplicateKey: a mapping has the same key twice (YAML forbids it).
	CodeDuplicateKey = "SIGMA1004"

	// CodeNoRule: a document has no detection, correlation or filter.
	CodeNoRule = "SIGMA2001"
	// CodeMissing: a mandatory key is missing (title, logsource, condition,
	// correlation type, ...).
	CodeMissing = "SIGMA2002"
	// CodeBadShape: a key has the wrong kind of YAML value (a list where a
	// string is expected, a nested map as a field value, ...).
	CodeBadShape = "SIGMA2003"
	// CodeUndefined: a condition names a search identifier that the
	// detection does not define, or a pattern that matches none.
	CodeUndefined = "SIGMA2004"
	// CodeModifier: an unknown modifier, or modifiers that cannot be
	// combined.
	CodeModifier = "SIGMA2005"
	// CodeValue: a value its modifiers cannot take (a non-number for gt, a
	// bad CIDR range, a non-boolean for exists, wildcards under base64,
	// null in a list, ...).
	CodeValue = "SIGMA2006"
	// CodeCorrelation: an invalid correlation section (unknown type, bad
	// timespan or condition).
	CodeCorrelation = "SIGMA2007"
	// CodeReference: a correlation or filter references no rules.
	CodeReference = "SIGMA2008"
	// CodeAction: an unknown action or an action: repeat with nothing to
	// repeat in a multi-document file.
	CodeAction = "SIGMA2009"

	// CodeObsolete: Sigma 1 syntax that Sigma 2 removed (aggregations
	// after a pipe, near, timeframe). Warning.
	CodeObsolete = "SIGMA3001"
	// CodeUnused: a search identifier that the condition never uses.
	// Warning.
	CodeUnused = "SIGMA3002"
	// CodeQuality: a value the specification discourages or a metadata
	// value outside its vocabulary (|all with one value, an unknown level
	// or status, a regular expression Go's RE2 cannot compile, a
	// quantifier other than 1/any/all). Warning.
	CodeQuality = "SIGMA3003"
)
