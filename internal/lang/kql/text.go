package kql

// Text returns the exact source text of n: src[n.Pos():n.End()], clamped to
// src. src must be the text n was parsed from.
func Text(src string, n Node) string {
	if n == nil {
		return ""
	}
	pos, end := int(n.Pos()), int(n.End())
	if pos < 0 {
		pos = 0
	}
	if end > len(src) {
		end = len(src)
	}
	if pos > end {
		return ""
	}
	return src[pos:end]
}
