package engine

// Node is a node of the logical plan: a tabular operator over its inputs,
// with checked, typed expressions. The plan knows nothing of how it is run:
// the executor (exec.go) runs it a chunk at a time, and another backend could
// compile the same plan to SQL.
type Node interface {
	Schema() Schema
}

type (
	// ScanNode reads a table. Need marks the columns the query reads (set
	// by prune); only those are asked of the table.
	ScanNode struct {
		Table Table
		Cols  Schema
		Need  []bool
	}

	// ValuesNode is an in-memory table (datatable, print, a let-bound
	// result).
	ValuesNode struct {
		Table *MemTable
	}

	// RangeNode is range Name from From to To step Step.
	RangeNode struct {
		Name           string
		T              Type
		From, To, Step Expr
	}

	// FilterNode keeps the rows where Pred is true.
	FilterNode struct {
		In   Node
		Pred Expr
	}

	// ProjectNode computes its output columns from the input: extend,
	// project, project-away, project-keep, project-rename, project-reorder.
	ProjectNode struct {
		In    Node
		Exprs []Expr
		Out   Schema
		// Extend marks an extend: every input column passes on unchanged,
		// first.
		Extend bool
	}

	// SummarizeNode groups by Groups and computes Aggs; Post computes the
	// output columns from the groups and aggregate results (aggregates
	// used inside larger expressions).
	SummarizeNode struct {
		In     Node
		Groups []Expr
		Aggs   []*aggCall
		Post   []Expr // over the schema groups ++ aggregate results
		Mid    Schema
		Out    Schema
	}

	// JoinNode joins Left and Right on equal keys.
	JoinNode struct {
		Left, Right         Node
		Kind                string
		LeftKeys, RightKeys []int
		// Out columns come from the left (RightCol < 0) or the right.
		LeftCol, RightCol []int
		Out               Schema
		Lookup            bool
	}

	// UnionNode concatenates its inputs; Maps[i][j] is the column of input i
	// feeding output column j (-1 for none).
	UnionNode struct {
		Inputs    []Node
		Maps      [][]int
		SourceCol int // the withsource= column, or -1
		Names     []string
		Out       Schema
	}

	// SortNode orders the rows.
	SortNode struct {
		In   Node
		Keys []sortKey
	}

	// TakeNode keeps the first N rows (after an optional sort: top).
	TakeNode struct {
		In Node
		N  Expr
	}

	// DistinctNode keeps one row per distinct value of its columns.
	DistinctNode struct {
		In    Node
		Exprs []Expr
		Out   Schema
	}

	// CountNode counts the rows.
	CountNode struct {
		In   Node
		Name string
	}

	// MvExpandNode expands dynamic arrays or bags into rows.
	MvExpandNode struct {
		In       Node
		Items    []mvItem
		Bag      bool // kind=bag: bags expand into single-key bags
		IndexCol int  // with_itemindex column in Out, or -1
		Limit    int64
		Out      Schema
		Keep     []int // input columns kept, in Out order (first len(Keep) columns)
	}

	// ParseNode extracts columns from a string with a pattern.
	ParseNode struct {
		In      Node
		Src     Expr
		Pattern *parsePattern
		Where   bool // parse-where drops rows that do not match
		Out     Schema
		// NIn is the number of input columns passed on first; Late maps
		// late-bound input columns (bag_unpack, pivot) added after the
		// check to their output positions.
		NIn  int
		Late [][2]int // {input column, output column}
	}

	// SerializeNode marks the rows as ordered (and concatenates them so
	// that row_number, prev and next see one sequence).
	SerializeNode struct {
		In Node
	}

	// SharedNode is a let-bound tabular value or materialize(): computed once
	// however often the query reads it.
	SharedNode struct {
		In Node
	}

	// MvApplyNode runs Sub once per input row over the expanded items of
	// that row.
	MvApplyNode struct {
		In    Node
		Items []mvItem
		Input *applyInput
		Sub   Node
		Keep  []int
		Out   Schema
	}

	// applyInput is the table an mv-apply subquery reads: the expanded rows of
	// one input row.
	applyInput struct {
		Cols Schema
	}

	// MakeSeriesNode is make-series.
	MakeSeriesNode struct {
		In             Node
		Aggs           []*aggCall
		Defaults       []Value
		Axis           Expr
		From, To, Step Expr
		Groups         []Expr
		Out            Schema
	}
)

type sortKey struct {
	X          Expr
	Desc       bool
	NullsFirst bool
}

type mvItem struct {
	X    Expr
	Name string
	T    Type // to typeof(T), else dynamic
	Col  int  // output column
}

func (n *ScanNode) Schema() Schema       { return n.Cols }
func (n *ValuesNode) Schema() Schema     { return n.Table.Cols }
func (n *RangeNode) Schema() Schema      { return Schema{{Name: n.Name, Type: n.T}} }
func (n *FilterNode) Schema() Schema     { return n.In.Schema() }
func (n *ProjectNode) Schema() Schema    { return n.Out }
func (n *SummarizeNode) Schema() Schema  { return n.Out }
func (n *JoinNode) Schema() Schema       { return n.Out }
func (n *UnionNode) Schema() Schema      { return n.Out }
func (n *SortNode) Schema() Schema       { return n.In.Schema() }
func (n *TakeNode) Schema() Schema       { return n.In.Schema() }
func (n *DistinctNode) Schema() Schema   { return n.Out }
func (n *CountNode) Schema() Schema      { return Schema{{Name: n.Name, Type: TypeLong}} }
func (n *MvExpandNode) Schema() Schema   { return n.Out }
func (n *ParseNode) Schema() Schema      { return n.Out }
func (n *SerializeNode) Schema() Schema  { return n.In.Schema() }
func (n *SharedNode) Schema() Schema     { return n.In.Schema() }
func (n *MvApplyNode) Schema() Schema    { return n.Out }
func (n *applyInput) Schema() Schema     { return n.Cols }
func (n *MakeSeriesNode) Schema() Schema { return n.Out }

// walkExpr calls fn for e and every expression inside it (not inside
// subplans).
func walkExpr(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch x := e.(type) {
	case *callExpr:
		for _, a := range x.Args {
			walkExpr(a, fn)
		}
	case *vecExpr:
		for _, a := range x.Args {
			walkExpr(a, fn)
		}
	case *logicExpr:
		walkExpr(x.X, fn)
		walkExpr(x.Y, fn)
	case *inTableExpr:
		walkExpr(x.X, fn)
	case *ifExistsExpr:
		walkExpr(x.X, fn)
		walkExpr(x.Default, fn)
	}
}

// markCols sets need[i] for every column e reads, and prunes its subplans.
func markCols(e Expr, need []bool) {
	walkExpr(e, func(x Expr) {
		switch y := x.(type) {
		case *colRef:
			if y.Index < len(need) {
				need[y.Index] = true
			}
		case *scalarSubquery:
			prune(y.Plan, firstOnly(y.Plan))
		case *inTableExpr:
			prune(y.Plan, firstOnly(y.Plan))
		}
	})
}

func firstOnly(n Node) []bool {
	need := make([]bool, len(n.Schema()))
	if len(need) > 0 {
		need[0] = true
	}
	return need
}

func allTrue(n int) []bool {
	need := make([]bool, n)
	for i := range need {
		need[i] = true
	}
	return need
}

// prune pushes the columns a node's consumer needs down to the scans.
func prune(n Node, need []bool) {
	switch x := n.(type) {
	case *ScanNode:
		if x.Need == nil {
			x.Need = make([]bool, len(x.Cols))
		}
		for i, b := range need {
			if b && i < len(x.Need) {
				x.Need[i] = true
			}
		}
	case *FilterNode:
		child := append([]bool(nil), need...)
		markCols(x.Pred, child)
		prune(x.In, child)
	case *ProjectNode:
		child := make([]bool, len(x.In.Schema()))
		for i, e := range x.Exprs {
			if i < len(need) && need[i] {
				markCols(e, child)
			}
		}
		prune(x.In, child)
	case *SummarizeNode:
		child := make([]bool, len(x.In.Schema()))
		for _, g := range x.Groups {
			markCols(g, child)
		}
		for _, a := range x.Aggs {
			for _, e := range a.Args {
				markCols(e, child)
			}
			if a.Star {
				for i := range child {
					child[i] = true
				}
			}
		}
		for _, p := range x.Post {
			walkExpr(p, func(e Expr) {
				if s, ok := e.(*scalarSubquery); ok {
					prune(s.Plan, firstOnly(s.Plan))
				}
			})
		}
		prune(x.In, child)
	case *JoinNode:
		ln := make([]bool, len(x.Left.Schema()))
		rn := make([]bool, len(x.Right.Schema()))
		for _, k := range x.LeftKeys {
			ln[k] = true
		}
		for _, k := range x.RightKeys {
			rn[k] = true
		}
		for i := range x.Out {
			if i < len(need) && need[i] {
				if x.LeftCol[i] >= 0 {
					ln[x.LeftCol[i]] = true
				} else {
					rn[x.RightCol[i]] = true
				}
			}
		}
		prune(x.Left, ln)
		prune(x.Right, rn)
	case *UnionNode:
		for i, in := range x.Inputs {
			child := make([]bool, len(in.Schema()))
			for j, src := range x.Maps[i] {
				if src >= 0 && j < len(need) && need[j] {
					child[src] = true
				}
			}
			prune(in, child)
		}
	case *SortNode:
		child := append([]bool(nil), need...)
		for _, k := range x.Keys {
			markCols(k.X, child)
		}
		prune(x.In, child)
	case *TakeNode:
		prune(x.In, need)
	case *SerializeNode:
		prune(x.In, need)
	case *DistinctNode:
		child := make([]bool, len(x.In.Schema()))
		for _, e := range x.Exprs {
			markCols(e, child)
		}
		prune(x.In, child)
	case *CountNode:
		prune(x.In, make([]bool, len(x.In.Schema())))
	case *MvExpandNode:
		child := make([]bool, len(x.In.Schema()))
		for i, k := range x.Keep {
			if i < len(need) && need[i] {
				child[k] = true
			}
		}
		for _, it := range x.Items {
			markCols(it.X, child)
		}
		prune(x.In, child)
	case *ParseNode:
		child := make([]bool, len(x.In.Schema()))
		for i := 0; i < x.NIn && i < len(need); i++ {
			child[i] = need[i]
		}
		for _, m := range x.Late {
			if m[1] < len(need) && need[m[1]] {
				child[m[0]] = true
			}
		}
		markCols(x.Src, child)
		prune(x.In, child)
	case *SharedNode:
		prune(x.In, allTrue(len(x.In.Schema())))
	case *MvApplyNode:
		child := make([]bool, len(x.In.Schema()))
		for i, k := range x.Keep {
			if i < len(need) && need[i] {
				child[k] = true
			}
		}
		for _, it := range x.Items {
			markCols(it.X, child)
		}
		prune(x.In, child)
		prune(x.Sub, allTrue(len(x.Sub.Schema())))
	case *MakeSeriesNode:
		child := make([]bool, len(x.In.Schema()))
		for _, a := range x.Aggs {
			for _, e := range a.Args {
				markCols(e, child)
			}
		}
		markCols(x.Axis, child)
		for _, g := range x.Groups {
			markCols(g, child)
		}
		prune(x.In, child)
	case *BagUnpackNode:
		child := make([]bool, len(x.In.Schema()))
		child[x.Bag] = true
		for i, k := range x.Keep {
			if i < len(need) && need[i] {
				child[k] = true
			}
		}
		prune(x.In, child)
	case *PivotNode:
		child := make([]bool, len(x.In.Schema()))
		markCols(x.Key, child)
		for _, e := range x.Agg.Args {
			markCols(e, child)
		}
		for _, g := range x.Groups {
			markCols(g, child)
		}
		prune(x.In, child)
	case *TopNestedNode:
		child := make([]bool, len(x.In.Schema()))
		for _, lv := range x.Levels {
			markCols(lv.Of, child)
			for _, e := range lv.Agg.Args {
				markCols(e, child)
			}
			if lv.Agg.Star {
				child = allTrue(len(child))
			}
		}
		prune(x.In, child)
	case *PartitionNode:
		prune(x.In, allTrue(len(x.In.Schema())))
		prune(x.Sub, allTrue(len(x.Sub.Schema())))
	case *RangeNode:
		markCols(x.From, nil)
		markCols(x.To, nil)
		markCols(x.Step, nil)
	}
}

// children returns a node's tabular inputs (not the plans inside its
// expressions).
func children(n Node) []Node {
	switch x := n.(type) {
	case *FilterNode:
		return []Node{x.In}
	case *ProjectNode:
		return []Node{x.In}
	case *SummarizeNode:
		return []Node{x.In}
	case *JoinNode:
		return []Node{x.Left, x.Right}
	case *UnionNode:
		return x.Inputs
	case *SortNode:
		return []Node{x.In}
	case *TakeNode:
		return []Node{x.In}
	case *DistinctNode:
		return []Node{x.In}
	case *CountNode:
		return []Node{x.In}
	case *MvExpandNode:
		return []Node{x.In}
	case *ParseNode:
		return []Node{x.In}
	case *SerializeNode:
		return []Node{x.In}
	case *SharedNode:
		return []Node{x.In}
	case *MvApplyNode:
		return []Node{x.In, x.Sub}
	case *MakeSeriesNode:
		return []Node{x.In}
	case *BagUnpackNode:
		return []Node{x.In}
	case *PivotNode:
		return []Node{x.In}
	case *TopNestedNode:
		return []Node{x.In}
	case *PartitionNode:
		return []Node{x.In, x.Sub}
	}
	return nil
}
