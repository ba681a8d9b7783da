package kustorule

import (
	"fmt"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Piece is one query found in a file: a whole code block, or one of the
// queries of a block that holds several separated by blank lines.
type Piece struct {
	Query  string
	Origin source.Origin
	// Block is the code block the query comes from.
	Block *Block
	// Header is what the comments in front of the query say, for a query
	// split out of a block (nil for a whole block, whose comments stay in
	// its query).
	Header *Header
}

// Title returns the name the piece's own comments give it: a "Title:" line
// or a first comment line that reads as a title ("Query 1: C2 connection",
// "Local Administrator"); "" when they give none.
func (p *Piece) Title() string {
	if p.Header == nil {
		return ""
	}
	if p.Header.Title != "" {
		return p.Header.Title
	}
	if first, _ := p.Header.FirstProse(); titleLike(first) {
		return first
	}
	return ""
}

// Description returns the rest of the piece's comments.
func (p *Piece) Description() string {
	if p.Header == nil {
		return ""
	}
	if p.Header.Title == "" {
		if first, rest := p.Header.FirstProse(); titleLike(first) {
			return rest
		}
	}
	return p.Header.Description()
}

// BlockPieces returns the queries of a code block. A block holding several
// queries separated by blank lines (the Kusto Explorer convention, see
// SplitKQL) that the parser does not accept as one gives one piece per
// query, each without its leading comments (they are its Header); any other
// block is one piece, its whole text.
func BlockPieces(b *Block) []Piece {
	whole := Piece{Query: b.Text, Origin: b.Origin(), Block: b}
	if !hasBlankLine(b.Text) {
		return []Piece{whole}
	}
	qs := SplitKQL(b.Text)
	if len(qs) < 2 || ParsesCleanly(b.Text) {
		return []Piece{whole}
	}
	qs = joinIfOneQuery(b.Text, qs)
	if len(qs) < 2 {
		return []Piece{whole}
	}
	out := make([]Piece, 0, len(qs))
	for i := range qs {
		q := &qs[i]
		h := q.Header
		if h.Line > 0 {
			h.Line += b.Line
		}
		out = append(out, Piece{
			Query:  q.Text,
			Origin: source.Origin{Line: b.Line + q.Origin.Line, Col: b.ContentIndent + q.Origin.Col, Indent: b.ContentIndent},
			Block:  b,
			Header: &h,
		})
	}
	return out
}

func hasBlankLine(s string) bool {
	for _, l := range SplitLines(s) {
		if isBlank(l) {
			return true
		}
	}
	return false
}

// MaxRulesPerFile bounds the rules read from one file: no real file comes
// near it, and a generated one must not make a run quadratic.
const MaxRulesPerFile = 500

// CapPieces keeps the first MaxRulesPerFile pieces, with a warning on d
// when there are more.
func CapPieces(d *rule.Document, pieces []Piece) []Piece {
	if len(pieces) <= MaxRulesPerFile {
		return pieces
	}
	d.Diagnose(source.Diagnostic{Code: CodeTooManyQueries, Severity: source.Warning, Line: pieces[MaxRulesPerFile].Origin.Line, Col: 1,
		Message: fmt.Sprintf("the file holds %d queries; only the first %d are read", len(pieces), MaxRulesPerFile)})
	return pieces[:MaxRulesPerFile]
}
