package sigmaeval

import "unicode/utf8"

// keywordSet finds many keywords in a value in one pass: an Aho-Corasick
// automaton over the (folded) keywords, matching ASCII case-insensitively
// unless cased (every keyword is ASCII, so folding the text's ASCII letters
// on the fly is the whole of Sigma's case-insensitivity for them). It
// serves keyword items, which search every field of every event they run
// on, when their values are all plain "contains" patterns, and reports
// which values (up to 63) occur. (For the values of one field, searching
// each pattern with strings.Index is faster: it skips through the text
// with vector instructions, where the automaton steps byte by byte.)
type keywordSet struct {
	next []*[256]int32 // dense transitions
	out  []uint64      // values whose pattern ends in the state (fail links folded in)
	all  uint64        // every value's bit
}

// maxKeywordStates bounds the automaton (keyword lists are short; a huge
// one falls back to matching value by value).
const maxKeywordStates = 4096

// newKeywordSet builds the automaton of an item's values, or returns nil
// when a value is not a plain contains pattern, holds a non-ASCII
// character, or there are too many.
func newKeywordSet(values []valueTest, cased bool) *keywordSet {
	if len(values) == 0 || len(values) > 63 {
		return nil
	}
	ks := &keywordSet{next: []*[256]int32{new([256]int32)}, out: []uint64{0}}
	for i, v := range values {
		if v.null || v.isNum || len(v.pats) == 0 {
			return nil
		}
		for _, p := range v.pats {
			if p.kind != patContains || p.lit == "" {
				return nil
			}
			state := int32(0)
			for j := 0; j < len(p.lit); j++ {
				c := p.lit[j]
				if c >= utf8.RuneSelf {
					return nil
				}
				if ks.next[state][c] == 0 {
					if len(ks.next) >= maxKeywordStates {
						return nil
					}
					ks.next = append(ks.next, new([256]int32))
					ks.out = append(ks.out, 0)
					ks.next[state][c] = int32(len(ks.next) - 1)
				}
				state = ks.next[state][c]
			}
			ks.out[state] |= 1 << uint(i)
		}
		ks.all |= 1 << uint(i)
	}
	// Breadth-first: fail links, folded into a complete transition table.
	fail := make([]int32, len(ks.next))
	queue := make([]int32, 0, len(ks.next))
	for c := 0; c < 256; c++ {
		if s := ks.next[0][c]; s != 0 {
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		ks.out[s] |= ks.out[fail[s]]
		for c := 0; c < 256; c++ {
			t := ks.next[s][c]
			if t == 0 {
				ks.next[s][c] = ks.next[fail[s]][c]
				continue
			}
			fail[t] = ks.next[fail[s]][c]
			queue = append(queue, t)
		}
	}
	if !cased {
		// the text is folded on the fly: upper-case letters go where the
		// lower-case ones go (the keywords are folded already)
		for _, row := range ks.next {
			for c := 'A'; c <= 'Z'; c++ {
				row[c] = row[c+'a'-'A']
			}
		}
	}
	return ks
}

// scanned marks a memoised scan result (values use bits 0 to 62).
const scanned = 1 << 63

// scan returns the values found in text. With any, it stops at the first
// one found; otherwise once every value is found.
func (ks *keywordSet) scan(text string, any bool) uint64 {
	var found uint64
	row := ks.next[0]
	for i := 0; i < len(text); i++ {
		state := row[text[i]]
		row = ks.next[state]
		if o := ks.out[state]; o != 0 {
			found |= o
			if any || found == ks.all {
				return found
			}
		}
	}
	return found
}

// filterKeywordSet keeps the rows where the item's keywords occur in some
// field (all of them, with |all), scanning each distinct value once per
// block.
func (e *evaluator) filterKeywordSet(it *item, rows []int32) []int32 {
	blk := e.blk
	ks := it.kw
	cols := blk.keywordColumns()
	memos := blk.kwMemo[ks]
	if memos == nil {
		if blk.kwMemo == nil {
			blk.kwMemo = map[*keywordSet][][]uint64{}
		}
		memos = make([][]uint64, len(cols))
		blk.kwMemo[ks] = memos
	}
	any := !it.all
	out := rows[:0]
	for _, row := range rows {
		var found uint64
		for ci, c := range cols {
			code := c.f.Codes[row]
			if code == 0 {
				continue
			}
			m := memos[ci]
			if m == nil {
				m = make([]uint64, len(c.f.Dict))
				memos[ci] = m
			}
			v := m[code]
			if v == 0 {
				v = ks.scan(c.f.Dict[code].Text, any) | scanned
				m[code] = v
			}
			found |= v &^ scanned
			if any && found != 0 || found == ks.all {
				break
			}
		}
		if any && found != 0 || found == ks.all {
			out = append(out, row)
		}
	}
	return out
}
