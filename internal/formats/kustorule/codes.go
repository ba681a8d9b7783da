package kustorule

// Diagnostic codes of the Kusto-family readers. READ1xxx concern the file and
// its container format; ATTACK001 an ATT&CK reference; KQL syntax errors keep
// the codes of the KQL front end.
const (
	// CodeBinary: the file is not text (a NUL byte); nothing is read.
	CodeBinary = "READ1001"
	// CodeEncoding: the file is not valid UTF-8; invalid bytes are replaced
	// by U+FFFD and the rest is read.
	CodeEncoding = "READ1002"
	// CodeTooLarge: the file is larger than a rule file can be; not read.
	CodeTooLarge = "READ1003"
	// CodeNotAQuery: a KQL text (.txt, .kql) holds no query.
	CodeNotAQuery = "READ1004"

	// CodeYAMLSyntax: the YAML does not parse.
	CodeYAMLSyntax = "READ1101"
	// CodeYAMLShape: the YAML is not a mapping of rule keys.
	CodeYAMLShape = "READ1102"
	// CodeNoQuery: the rule has no query.
	CodeNoQuery = "READ1103"
	// CodeMoved: a Sentinel "moved to a new location" stub.
	CodeMoved = "READ1104"
	// CodeDuplicateKey: a key given twice; the last one wins, as in the
	// Python loaders Sentinel tooling uses.
	CodeDuplicateKey = "READ1105"
	// CodeYAMLLimit: too deep nesting or alias expansion (a YAML bomb).
	CodeYAMLLimit = "READ1106"
	// CodeValueType: a key holds a value of an unexpected type; ignored.
	CodeValueType = "READ1107"
	// CodeFoldedQuery: the query is a multi-line plain or quoted YAML
	// scalar; it is read line by line as written (YAML would fold it).
	CodeFoldedQuery = "READ1108"

	// CodeReplaced: a FalconFriday "replaced by" stub.
	CodeReplaced = "READ1201"
	// CodeNoQueryBlock: markdown with no query block.
	CodeNoQueryBlock = "READ1202"
	// CodeUnclosedFence: a code fence that is never closed.
	CodeUnclosedFence = "READ1203"

	// CodeAttack: an unknown, revoked or deprecated ATT&CK reference.
	CodeAttack = "ATTACK001"
)

// CodeTooManyQueries: a file holds more queries than a run reads from one
// file; the rest are left out.
const CodeTooManyQueries = "READ1204"
