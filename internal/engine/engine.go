package engine

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes of the engine (the KQL front end's syntax errors keep
// their KQL1xxx codes).
const (
	CodeUnknownColumn    = "KQL2001" // Failed to resolve scalar expression named 'X'
	CodeUnknownFunction  = "KQL2002" // Unknown function: 'f'
	CodeOperator         = "KQL2003" // an operator (or operator option) the engine does not run
	CodeFunction         = "KQL2004" // a Kusto function the engine does not run (service-only, plugins)
	CodeType             = "KQL2005" // argument count or types
	CodeUnknownTable     = "KQL2006" // a table no adapter provides
	CodeUnfilledColumn   = "KQL2007" // warning: a column the table declares but its source cannot fill
	CodeRuntime          = "KQL2008" // an error while running
	CodeTooBig           = "KQL2009" // a result over the row limit
	CodeSemantic         = "KQL2010" // other semantic errors
	CodeExternalData     = "KQL2011" // externaldata or a service table without a local source
	CodeNoQuery          = "KQL2012" // the script has no query
	defaultMaxRows       = 5_000_000
	defaultMaxStringSize = 1 << 20
)

// Options configure Compile.
type Options struct {
	// Catalog resolves table names.
	Catalog Catalog
	// Now is the time now() and ago() are relative to (replay time); zero
	// means the wall clock.
	Now time.Time
	// MaxRows bounds the rows any operator may produce (default 5,000,000).
	MaxRows int
}

// Query is a checked query: its logical plan and the warnings the check
// found.
type Query struct {
	Text     string
	Plan     Node
	Warnings source.Diagnostics
	maxRows  int
	now      int64
	texts    map[Node]string
}

// Result is the output of a query.
type Result struct {
	Schema Schema
	Chunks []*Chunk
}

// Rows returns the number of rows.
func (r *Result) Rows() int {
	n := 0
	for _, ch := range r.Chunks {
		n += ch.N
	}
	return n
}

// Each calls fn with every row in order.
func (r *Result) Each(fn func(row []Value)) {
	for _, ch := range r.Chunks {
		for i := 0; i < ch.N; i++ {
			fn(ch.Row(i))
		}
	}
}

// Compile parses and checks a query script. A query with syntax or
// semantic errors gives no Query and its diagnostics (line:col in text);
// warnings come back on the Query.
func Compile(text string, opt Options) (*Query, source.Diagnostics) {
	script, errs := kql.Parse(text)
	if len(errs) > 0 {
		return nil, kql.Diagnostics(text, errs)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	c := newChecker(text, opt)
	plan, diag := c.checkScript(script)
	if diag != nil {
		return nil, append(c.warnings, *diag)
	}
	prune(plan, allTrue(len(plan.Schema())))
	max := opt.MaxRows
	if max <= 0 {
		max = defaultMaxRows
	}
	return &Query{Text: text, Plan: plan, Warnings: c.warnings, maxRows: max, now: c.now, texts: c.texts}, nil
}

// Run executes the query on the catalog and at the replay time it was
// compiled with.
func (q *Query) Run() (res *Result, err error) {
	return q.run(&execCtx{maxRows: q.maxRows, now: q.now})
}

// RunOn executes the query on another catalog at another replay time: each
// table the query reads is taken from cat by name and must have the columns
// (names and types) of the table the query was compiled against. A plan
// keeps no run state, so one compiled query may run on many catalogs, also
// at the same time from several goroutines.
func (q *Query) RunOn(cat Catalog, now time.Time) (*Result, error) {
	return q.run(&execCtx{maxRows: q.maxRows, now: TimeToTicks(now), catalog: cat})
}

func (q *Query) run(ctx *execCtx) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			if re, ok := p.(*runtimeError); ok {
				err = re
				return
			}
			err = fmt.Errorf("internal error (a detwiki bug): %v", p)
		}
	}()
	chunks, err := ctx.run(q.Plan)
	if err != nil {
		return nil, err
	}
	return &Result{Schema: q.Plan.Schema(), Chunks: chunks}, nil
}

// Run compiles and runs a query in one step.
func Run(text string, opt Options) (*Result, source.Diagnostics, error) {
	q, diags := Compile(text, opt)
	if q == nil {
		return nil, diags, nil
	}
	res, err := q.Run()
	return res, q.Warnings, err
}

// CompileScalar checks a scalar expression over the columns of schema (for
// table adapters that derive columns with KQL expressions).
func CompileScalar(text string, schema Schema, now time.Time) (Expr, source.Diagnostics) {
	x, errs := kql.ParseExpr(text)
	if len(errs) > 0 {
		return nil, kql.Diagnostics(text, errs)
	}
	c := newChecker(text, Options{Now: now})
	var e Expr
	var diag *source.Diagnostic
	func() {
		defer func() {
			if p := recover(); p != nil {
				b, ok := p.(bailout)
				if !ok {
					panic(p)
				}
				diag = &b.d
			}
		}()
		e = c.foldConst(c.expr(x, &scope{vars: map[string]*binding{}}, schema))
	}()
	if diag != nil {
		return nil, source.Diagnostics{*diag}
	}
	return e, nil
}

// EvalScalar evaluates a compiled scalar expression over a chunk.
func EvalScalar(e Expr, ch *Chunk) (col *Column, err error) {
	defer func() {
		if p := recover(); p != nil {
			if re, ok := p.(*runtimeError); ok {
				err = re
				return
			}
			panic(p)
		}
	}()
	return e.eval(&execCtx{maxRows: defaultMaxRows, now: TimeToTicks(time.Now())}, ch)
}

// DictColumn returns a dictionary-encoded string column.
func DictColumn(dict []string, codes []uint32) *Column {
	return &Column{T: TypeString, N: len(codes), Dict: dict, Codes: codes}
}

// Clone returns a copy of the schema.
func (s Schema) Clone() Schema { return s.clone() }

// ConvertExpr converts e's result to type t.
func ConvertExpr(e Expr, t Type) Expr {
	return &callExpr{Name: "convert", Fn: func(a []Value) Value { return Convert(a[0], t) }, Args: []Expr{e}, T: t}
}

// SelectTrue returns the rows where a bool column is true.
func SelectTrue(c *Column, n int) []int32 { return selectTrue(c, n) }

// ReadsColumnPrefix reports whether e reads a column whose name starts with
// prefix.
func ReadsColumnPrefix(e Expr, prefix string) bool {
	found := false
	walkExpr(e, func(x Expr) {
		if r, ok := x.(*colRef); ok && strings.HasPrefix(r.Name, prefix) {
			found = true
		}
	})
	return found
}

// ReadsColumn reports whether e reads the column named name.
func ReadsColumn(e Expr, name string) bool {
	found := false
	walkExpr(e, func(x Expr) {
		if r, ok := x.(*colRef); ok && r.Name == name {
			found = true
		}
	})
	return found
}

// ColumnIndexes returns the input columns e reads (sorted, no duplicates).
func ColumnIndexes(e Expr) []int {
	seen := map[int]bool{}
	var out []int
	walkExpr(e, func(x Expr) {
		if r, ok := x.(*colRef); ok && !seen[r.Index] {
			seen[r.Index] = true
			out = append(out, r.Index)
		}
	})
	sort.Ints(out)
	return out
}
