package sigmaeval

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/lang/sigma"
)

// Block is a block of events prepared for evaluation: it caches, for every
// rule evaluated on it, field resolutions, lane selections, folded values
// and per-value results. It is not safe for concurrent use: evaluate one
// Block from one goroutine (blocks are independent; run several at once).
type Block struct {
	// Events is the block.
	Events *events.Block
	router *Router
	win    *events.WinView
	// windows is true when the block's events name their channel.
	windows bool

	cols     map[*events.Field]*column
	resolved map[string]*column // final field name -> column (nil: absent)
	lanes    map[string][]int32 // lane key -> rows
	generic  []int32            // rows without a channel
	allCols  []*column          // for keyword searches (built on first use)
	kwMemo   map[*keywordSet][][]uint64
	times    []time.Time // per dictionary code of the time field (lazily)
	timeOK   []uint8     // 0 unknown, 1 parsed, 2 unparsable
	timeCol  *events.Field

	stamp uint32
	pool  [][]int32
	colv  []*column // scratch: the columns of the rule being evaluated
}

// column is one field of a block with its evaluation caches.
type column struct {
	f      *events.Field
	folded []string
	isFold []bool
	memo   []uint32 // stamp<<1 | result, per dictionary code
}

// NewBlock prepares b for evaluation with router (nil: DefaultRouter).
func NewBlock(b *events.Block, router *Router) *Block {
	if router == nil {
		router = DefaultRouter()
	}
	blk := &Block{Events: b, router: router, win: events.Windows(b),
		cols: map[*events.Field]*column{}, resolved: map[string]*column{}, lanes: map[string][]int32{}}
	ch := blk.win.System(events.SysChannel)
	blk.windows = ch != nil
	all := make([]int32, 0, b.Len)
	for row := 0; row < b.Len; row++ {
		if ch == nil || ch.Codes[row] == 0 {
			all = append(all, int32(row))
		}
	}
	blk.generic = all
	blk.timeCol = blk.win.System(events.SysTimeCreated)
	return blk
}

func (blk *Block) column(f *events.Field) *column {
	if f == nil {
		return nil
	}
	c := blk.cols[f]
	if c == nil {
		c = &column{f: f}
		blk.cols[f] = c
	}
	return c
}

// resolve returns the column of a field as a rule names it (after the
// lane's renames): a Windows system property by Sigma's name, else the
// field of that name (flat records, JSON lines), else the event-data field
// (EVTX-JSON), else a field of that name in another case, else an
// event-data field whose name is the name with spaces.
func (blk *Block) resolve(name string) *column {
	if c, ok := blk.resolved[name]; ok {
		return c
	}
	var f *events.Field
	if s, ok := blk.router.SystemField(name); ok && blk.windows {
		f = blk.win.System(s)
	}
	if f == nil {
		f = blk.Events.Field(name)
	}
	if f == nil {
		f = blk.win.Data(name)
	}
	if f == nil {
		f = blk.Events.FieldFold(name)
	}
	if f == nil {
		// Sigma writes event-data names without their spaces (Defender's
		// "Threat Name" is ThreatName).
		for _, d := range blk.win.DataFields() {
			if strings.ContainsRune(d.Name, ' ') && strings.EqualFold(strings.ReplaceAll(d.Name, " ", ""), name) {
				f = d.Field
				break
			}
		}
	}
	c := blk.column(f)
	blk.resolved[name] = c
	return c
}

// laneRows returns the rows of the block that belong to a lane, computed
// once per block and lane.
func (blk *Block) laneRows(l *Lane) []int32 {
	if rows, ok := blk.lanes[l.key]; ok {
		return rows
	}
	var rows []int32
	if blk.windows {
		ch := blk.win.System(events.SysChannel)
		chanOK := codeSet(ch, func(v events.Value) bool {
			if len(l.Channels) == 0 {
				return true
			}
			t := strings.ToLower(v.Text)
			for _, c := range l.Channels {
				if c == t {
					return true
				}
			}
			return false
		})
		var idOK []bool
		id := blk.win.System(events.SysEventID)
		checkID := len(l.EventIDs) > 0 // a block without event IDs has no row of such a lane
		if checkID {
			idOK = codeSet(id, func(v events.Value) bool {
				t := strings.TrimSpace(v.Text)
				for _, e := range l.EventIDs {
					if e == t {
						return true
					}
				}
				return false
			})
		}
		var filt *column
		var filtOK []bool
		if l.FilterField != "" {
			filt = blk.resolve(l.FilterField)
			if filt != nil {
				want := strings.ToLower(l.FilterValue)
				filtOK = codeSet(filt.f, func(v events.Value) bool { return strings.ToLower(v.Text) == want })
			}
		}
		for row := 0; row < blk.Events.Len; row++ {
			if !chanOK[ch.Codes[row]] {
				continue
			}
			if checkID && (id == nil || !idOK[id.Codes[row]]) {
				continue
			}
			if l.FilterField != "" && (filt == nil || !filtOK[filt.f.Codes[row]]) {
				continue
			}
			rows = append(rows, int32(row))
		}
	}
	blk.lanes[l.key] = rows
	return rows
}

// codeSet evaluates a predicate once per distinct value of f (false for
// the null value).
func codeSet(f *events.Field, pred func(events.Value) bool) []bool {
	if f == nil {
		return nil
	}
	out := make([]bool, len(f.Dict))
	for i := 1; i < len(f.Dict); i++ {
		if !f.Dict[i].IsNull() {
			out[i] = pred(f.Dict[i])
		}
	}
	return out
}

// Match appends to buf the rows of the block the rule matches, in order,
// and returns it. A rule that cannot run matches nothing.
func (blk *Block) Match(r *Rule, buf []int32) []int32 {
	out := buf[:0]
	if !r.Runnable() {
		return out
	}
	for _, l := range r.route.Lanes {
		rows := blk.laneRows(l)
		if len(rows) == 0 {
			continue
		}
		m := blk.applyFilters(r, l.Renames, blk.evalRule(r, l.Renames, rows))
		out = unionInto(out, m)
		blk.put(m)
	}
	if len(blk.generic) > 0 {
		m := blk.applyFilters(r, nil, blk.evalRule(r, nil, blk.generic))
		out = unionInto(out, m)
		blk.put(m)
	}
	return out
}

// applyFilters keeps the rows the rule's filters' conditions hold for
// (each evaluated with the lane's renames); m comes from the pool and the
// result does too.
func (blk *Block) applyFilters(r *Rule, renames map[string]string, m []int32) []int32 {
	for _, f := range r.filters {
		if len(m) == 0 {
			break
		}
		next := blk.evalRule(f, renames, m)
		blk.put(m)
		m = next
	}
	return m
}

// Count returns how many rows of the block the rule matches.
func (blk *Block) Count(r *Rule) int {
	buf := blk.get()
	buf = blk.Match(r, buf)
	n := len(buf)
	blk.put(buf)
	return n
}

// unionInto merges two sorted row lists into dst (which holds a).
func unionInto(a, b []int32) []int32 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return append(a, b...)
	}
	if a[len(a)-1] < b[0] {
		return append(a, b...)
	}
	merged := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			merged = append(merged, a[i])
			i++
		case a[i] > b[j]:
			merged = append(merged, b[j])
			j++
		default:
			merged = append(merged, a[i])
			i++
			j++
		}
	}
	merged = append(merged, a[i:]...)
	merged = append(merged, b[j:]...)
	return append(a[:0], merged...)
}

// evalRule evaluates the rule's condition on rows with the fields resolved
// through renames; the result comes from the pool.
func (blk *Block) evalRule(r *Rule, renames map[string]string, rows []int32) []int32 {
	cols := blk.colv[:0]
	for _, name := range r.Fields {
		if to, ok := renames[name]; ok {
			name = to
		}
		cols = append(cols, blk.resolve(name))
	}
	blk.colv = cols
	e := evaluator{blk: blk, r: r, cols: cols}
	return e.eval(r.cond, rows)
}

func (blk *Block) get() []int32 {
	if n := len(blk.pool); n > 0 {
		b := blk.pool[n-1]
		blk.pool = blk.pool[:n-1]
		return b[:0]
	}
	return make([]int32, 0, 64)
}

func (blk *Block) put(b []int32) {
	if cap(b) > 0 {
		blk.pool = append(blk.pool, b)
	}
}

func (blk *Block) copyRows(rows []int32) []int32 {
	return append(blk.get(), rows...)
}

// nextStamp starts a new memoised evaluation.
func (blk *Block) nextStamp() uint32 {
	blk.stamp++
	if blk.stamp >= 1<<31 {
		for _, c := range blk.cols {
			clear(c.memo)
		}
		blk.stamp = 1
	}
	return blk.stamp
}

// evaluator evaluates one rule on one lane of a block.
type evaluator struct {
	blk  *Block
	r    *Rule
	cols []*column
}

func (e *evaluator) eval(n *node, rows []int32) []int32 {
	blk := e.blk
	switch n.op {
	case opSearch:
		return e.evalSearch(e.r.searches[n.search], rows)
	case opAnd:
		cur := blk.copyRows(rows)
		for _, k := range n.kids {
			if len(cur) == 0 {
				break
			}
			next := e.eval(k, cur)
			blk.put(cur)
			cur = next
		}
		return cur
	case opOr:
		acc := blk.get()
		rest := blk.copyRows(rows)
		for _, k := range n.kids {
			if len(rest) == 0 {
				break
			}
			m := e.eval(k, rest)
			if len(m) > 0 {
				acc = unionInto(acc, m)
				rest = subtractInPlace(rest, m)
			}
			blk.put(m)
		}
		blk.put(rest)
		return acc
	case opNot:
		m := e.eval(n.kids[0], rows)
		out := subtractInPlace(blk.copyRows(rows), m)
		blk.put(m)
		return out
	case opAtLeast:
		counts := make([]int, len(rows))
		for _, k := range n.kids {
			m := e.eval(k, rows)
			j := 0
			for i, row := range rows {
				for j < len(m) && m[j] < row {
					j++
				}
				if j < len(m) && m[j] == row {
					counts[i]++
				}
			}
			blk.put(m)
		}
		out := blk.get()
		for i, row := range rows {
			if counts[i] >= n.n {
				out = append(out, row)
			}
		}
		return out
	}
	return blk.get() // opFalse
}

// subtractInPlace removes the rows of m (a sorted subset) from rows.
func subtractInPlace(rows, m []int32) []int32 {
	if len(m) == 0 {
		return rows
	}
	out := rows[:0]
	j := 0
	for _, row := range rows {
		for j < len(m) && m[j] < row {
			j++
		}
		if j < len(m) && m[j] == row {
			continue
		}
		out = append(out, row)
	}
	return out
}

// evalSearch: any group matches; a group matches when all its items do.
func (e *evaluator) evalSearch(s *search, rows []int32) []int32 {
	blk := e.blk
	if len(s.groups) == 1 {
		cur := blk.copyRows(rows)
		for _, it := range s.groups[0] {
			if len(cur) == 0 {
				break
			}
			cur = e.filter(it, cur)
		}
		return cur
	}
	acc := blk.get()
	rest := blk.copyRows(rows)
	for _, g := range s.groups {
		if len(rest) == 0 {
			break
		}
		cur := blk.copyRows(rest)
		for _, it := range g {
			if len(cur) == 0 {
				break
			}
			cur = e.filter(it, cur)
		}
		if len(cur) > 0 {
			acc = unionInto(acc, cur)
			rest = subtractInPlace(rest, cur)
		}
		blk.put(cur)
	}
	blk.put(rest)
	return acc
}

// filter keeps, in place, the rows the item matches.
func (e *evaluator) filter(it *item, rows []int32) []int32 {
	switch it.kind {
	case itemNever:
		return rows[:0]
	case itemFieldRef:
		return e.filterFieldRef(it, rows)
	}
	if it.field < 0 {
		return e.filterKeywords(it, rows)
	}
	col := e.cols[it.field]
	nullOK := it.matchNull()
	if col == nil {
		if nullOK {
			return rows
		}
		return rows[:0]
	}
	stamp := e.blk.nextStamp()
	if len(col.memo) < len(col.f.Dict) {
		col.memo = make([]uint32, len(col.f.Dict))
	}
	codes := col.f.Codes
	out := rows[:0]
	for _, row := range rows {
		code := codes[row]
		var ok bool
		if code == 0 {
			ok = nullOK
		} else if m := col.memo[code]; m>>1 == stamp {
			ok = m&1 == 1
		} else {
			ok = it.test(col, code)
			m = stamp << 1
			if ok {
				m |= 1
			}
			col.memo[code] = m
		}
		if ok {
			out = append(out, row)
		}
	}
	return out
}

// matchNull reports whether the item matches an absent or null field.
func (it *item) matchNull() bool {
	switch it.kind {
	case itemStrings:
		if it.all {
			for _, v := range it.values {
				if !v.null {
					return false
				}
			}
			return len(it.values) > 0
		}
		for _, v := range it.values {
			if v.null {
				return true
			}
		}
		return false
	case itemExists:
		return !it.exists
	}
	return false
}

// foldedText returns the folded text of a dictionary value.
func (c *column) foldedText(code uint32) string {
	if c.folded == nil {
		c.folded = make([]string, len(c.f.Dict))
		c.isFold = make([]bool, len(c.f.Dict))
	}
	if !c.isFold[code] {
		c.folded[code] = fold(c.f.Dict[code].Text)
		c.isFold[code] = true
	}
	return c.folded[code]
}

// test evaluates the item on a present (non-null) dictionary value.
func (it *item) test(col *column, code uint32) bool {
	v := col.f.Dict[code]
	switch it.kind {
	case itemStrings:
		text := v.Text
		if !it.cased {
			text = col.foldedText(code)
		}
		if it.all {
			for i := range it.values {
				if !it.values[i].matchString(text, v.Text) {
					return false
				}
			}
			return len(it.values) > 0
		}
		for i := range it.values {
			if it.values[i].matchString(text, v.Text) {
				return true
			}
		}
		return false
	case itemNotEqual:
		text := v.Text
		if !it.cased {
			text = col.foldedText(code)
		}
		for i := range it.values {
			if it.values[i].matchString(text, v.Text) {
				return false
			}
		}
		return true
	case itemExists:
		return it.exists
	case itemRegex:
		return it.any(func(vt *valueTest) bool { return vt.re.MatchString(v.Text) })
	case itemCIDR:
		addr, ok := parseAddr(v.Text)
		if !ok {
			return false
		}
		return it.any(func(vt *valueTest) bool {
			a := addr
			if vt.cidr.Addr().Is4() && a.Is4In6() {
				a = a.Unmap()
			}
			return vt.cidr.Contains(a)
		})
	case itemCompare:
		n, ok := parseNumber(v.Text)
		if !ok {
			return false
		}
		return it.any(func(vt *valueTest) bool { return compareNum(n, vt.op, vt.num) })
	case itemTimePart:
		t, ok := parseTime(v.Text)
		if !ok {
			return false
		}
		n := float64(timePart(t, it.src.TimePart))
		return it.any(func(vt *valueTest) bool { return compareNum(n, vt.op, vt.num) })
	}
	return false
}

// any applies f to the values: OR, or AND with |all.
func (it *item) any(f func(*valueTest) bool) bool {
	if it.all {
		for i := range it.values {
			if !f(&it.values[i]) {
				return false
			}
		}
		return len(it.values) > 0
	}
	for i := range it.values {
		if f(&it.values[i]) {
			return true
		}
	}
	return false
}

// matchString tests one value on a present field: text is folded unless the
// item is cased; raw is the value as stored (numeric equality).
func (vt *valueTest) matchString(text, raw string) bool {
	if vt.null {
		return false
	}
	for i := range vt.pats {
		if vt.pats[i].match(text) {
			return true
		}
	}
	if vt.isNum {
		if n, ok := parseNumber(raw); ok && n == vt.num {
			return true
		}
	}
	return false
}

func compareNum(n float64, op sigma.Compare, v float64) bool {
	switch op {
	case sigma.CompareGT:
		return n > v
	case sigma.CompareGTE:
		return n >= v
	case sigma.CompareLT:
		return n < v
	case sigma.CompareLTE:
		return n <= v
	case sigma.CompareNotEqual:
		return n != v
	}
	return n == v
}

// parseAddr reads an IP address as events write it ([::1], fe80::1%eth0,
// ::ffff:10.0.0.1).
func parseAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "[")
	s = strings.TrimSuffix(s, "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone(""), true
}

// timeLayouts are the timestamp forms events carry.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006/01/02 15:04:05",
	time.RFC1123Z,
	time.RFC1123,
}

// parseTime reads a timestamp (RFC 3339 and the usual log forms; numbers
// are seconds, or milliseconds when larger than 1e11, since the Unix epoch).
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if c := s[0]; c >= '0' && c <= '9' && !strings.ContainsAny(s, "-:/ ") {
		if n, ok := parseNumber(s); ok {
			if n > 1e11 {
				return time.UnixMilli(int64(n)).UTC(), true
			}
			return time.Unix(int64(n), 0).UTC(), true
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func timePart(t time.Time, part string) int {
	switch part {
	case "minute":
		return t.Minute()
	case "hour":
		return t.Hour()
	case "day":
		return t.Day()
	case "week":
		_, w := t.ISOWeek()
		return w
	case "month":
		return int(t.Month())
	case "year":
		return t.Year()
	}
	return -1
}

// filterKeywords keeps the rows where the keyword values appear in some
// field of the event (each value, with |all).
func (e *evaluator) filterKeywords(it *item, rows []int32) []int32 {
	if it.kw != nil {
		return e.filterKeywordSet(it, rows)
	}
	blk := e.blk
	cols := blk.keywordColumns()
	if it.all {
		for i := range it.values {
			rows = e.filterKeyword(&it.values[i], it.cased, cols, rows)
		}
		return rows
	}
	if len(it.values) == 1 {
		return e.filterKeyword(&it.values[0], it.cased, cols, rows)
	}
	acc := blk.get()
	rest := blk.copyRows(rows)
	for i := range it.values {
		m := e.filterKeyword(&it.values[i], it.cased, cols, blk.copyRows(rest))
		acc = unionInto(acc, m)
		rest = subtractInPlace(rest, m)
		blk.put(m)
	}
	blk.put(rest)
	out := append(rows[:0], acc...)
	blk.put(acc)
	return out
}

func (e *evaluator) filterKeyword(vt *valueTest, cased bool, cols []*column, rows []int32) []int32 {
	stamp := e.blk.nextStamp()
	out := rows[:0]
	for _, row := range rows {
		found := false
		for _, c := range cols {
			code := c.f.Codes[row]
			if code == 0 {
				continue
			}
			if len(c.memo) < len(c.f.Dict) {
				c.memo = make([]uint32, len(c.f.Dict))
			}
			if m := c.memo[code]; m>>1 == stamp {
				found = m&1 == 1
			} else {
				text := c.f.Dict[code].Text
				if !cased {
					text = c.foldedText(code)
				}
				found = vt.matchString(text, c.f.Dict[code].Text)
				m = stamp << 1
				if found {
					m |= 1
				}
				c.memo[code] = m
			}
			if found {
				break
			}
		}
		if found {
			out = append(out, row)
		}
	}
	return out
}

// keywordColumns returns every field of the block (keywords match anywhere).
func (blk *Block) keywordColumns() []*column {
	if blk.allCols == nil {
		blk.allCols = make([]*column, 0, len(blk.Events.Fields))
		for _, f := range blk.Events.Fields {
			blk.allCols = append(blk.allCols, blk.column(f))
		}
	}
	return blk.allCols
}

// filterFieldRef compares the item's field with other fields of the same
// event, row by row.
func (e *evaluator) filterFieldRef(it *item, rows []int32) []int32 {
	col := e.cols[it.field]
	out := rows[:0]
	for _, row := range rows {
		if col == nil || col.f.Codes[row] == 0 {
			continue
		}
		a := col.f.Dict[col.f.Codes[row]].Text
		if !it.cased {
			a = col.foldedText(col.f.Codes[row])
		}
		ok := it.any(func(vt *valueTest) bool {
			ref := e.cols[vt.ref]
			if ref == nil || ref.f.Codes[row] == 0 {
				return false
			}
			code := ref.f.Codes[row]
			b := ref.f.Dict[code].Text
			if !it.cased {
				b = ref.foldedText(code)
			}
			switch it.refCompare {
			case sigma.CompareContains:
				return strings.Contains(a, b)
			case sigma.CompareStartsWith:
				return strings.HasPrefix(a, b)
			case sigma.CompareEndsWith:
				return strings.HasSuffix(a, b)
			case sigma.CompareNotEqual:
				return a != b
			}
			return a == b
		})
		if ok {
			out = append(out, row)
		}
	}
	return out
}

// Time returns the timestamp of a row (the Windows TimeCreated, or the
// usual timestamp fields of JSON lines), parsed once per distinct value.
func (blk *Block) Time(row int32) (time.Time, bool) {
	f := blk.timeCol
	if f == nil {
		return time.Time{}, false
	}
	code := f.Codes[row]
	if code == 0 {
		return time.Time{}, false
	}
	if blk.times == nil {
		blk.times = make([]time.Time, len(f.Dict))
		blk.timeOK = make([]uint8, len(f.Dict))
	}
	switch blk.timeOK[code] {
	case 1:
		return blk.times[code], true
	case 2:
		return time.Time{}, false
	}
	t, ok := parseTime(f.Dict[code].Text)
	if ok {
		blk.times[code], blk.timeOK[code] = t, 1
	} else {
		blk.timeOK[code] = 2
	}
	return t, ok
}

// Value returns the value of a field, named as the rule names it, in a row
// the rule matched: resolved through the renames of the row's lane.
func (blk *Block) Value(r *Rule, row int32, name string) events.Value {
	if r.route != nil {
		for _, l := range r.route.Lanes {
			rows := blk.laneRows(l)
			i := sort.Search(len(rows), func(i int) bool { return rows[i] >= row })
			if i < len(rows) && rows[i] == row {
				if to, ok := l.Renames[name]; ok {
					name = to
				}
				break
			}
		}
	}
	c := blk.resolve(name)
	if c == nil {
		return events.Value{}
	}
	return c.f.Value(int(row))
}
