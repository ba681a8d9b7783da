package kql

// A Visitor's Visit method is invoked for each node encountered by Walk. If
// the result visitor w is not nil, Walk visits each of the children of node
// with w, followed by a call of w.Visit(nil).
type Visitor interface {
	Visit(node Node) (w Visitor)
}

// Walk traverses a syntax tree in depth-first order, children in source
// order: it calls v.Visit(node); if that returns a visitor w, Walk visits
// the children of node with w and then calls w.Visit(nil). Comments are not
// visited (they are in Script.Comments).
func Walk(v Visitor, node Node) {
	if node == nil || isNilNode(node) {
		return
	}
	if v = v.Visit(node); v == nil {
		return
	}
	switch n := node.(type) {
	case *Script:
		for _, s := range n.Statements {
			Walk(v, s)
		}
	case *LetStmt:
		walkIdent(v, n.Name)
		walkExpr(v, n.Value)
	case *QueryStmt:
		walkExpr(v, n.X)
	case *SetStmt:
		walkIdent(v, n.Name)
		walkExpr(v, n.Value)
	case *DeclareStmt:
		walkParams(v, n.Params)
	case *AliasStmt:
		walkIdent(v, n.Name)
		walkExpr(v, n.Value)
	case *PatternStmt:
		walkIdent(v, n.Name)
		walkParams(v, n.Params)
		if n.Path != nil {
			Walk(v, n.Path)
		}
		for _, m := range n.Matches {
			Walk(v, m)
		}
	case *PatternMatch:
		walkExprs(v, n.Args)
		walkExpr(v, n.Path)
		if n.Body != nil {
			Walk(v, n.Body)
		}
	case *RestrictStmt:
		walkExprs(v, n.Entities)
		walkNamed(v, n.With)
	case *BadStmt, *Ident, *BasicLit, *StarExpr, *BadExpr, *ExecuteAndCacheOp, *BadOp:
		// leaves
	case *DynamicLit:
		walkExpr(v, n.Value)
	case *JSONArray:
		walkExprs(v, n.Elems)
	case *JSONObject:
		for _, p := range n.Pairs {
			Walk(v, p)
		}
	case *JSONPair:
		if n.Key != nil {
			Walk(v, n.Key)
		}
		walkExpr(v, n.Value)
	case *BinaryExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Y)
	case *UnaryExpr:
		walkExpr(v, n.X)
	case *InExpr:
		walkExpr(v, n.X)
		if n.List != nil {
			Walk(v, n.List)
		}
	case *ListExpr:
		walkExprs(v, n.Elems)
	case *BetweenExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Low)
		walkExpr(v, n.High)
	case *CallExpr:
		walkIdent(v, n.Fun)
		walkExprs(v, n.Args)
	case *IndexExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Index)
	case *SelectorExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Sel)
	case *ParenExpr:
		walkExpr(v, n.X)
	case *BracketExpr:
		walkExpr(v, n.X)
	case *NamedExpr:
		for _, id := range n.Names {
			walkIdent(v, id)
		}
		walkExpr(v, n.Value)
	case *OrderedExpr:
		walkExpr(v, n.X)
	case *LambdaExpr:
		walkParams(v, n.Params)
		if n.Body != nil {
			Walk(v, n.Body)
		}
	case *FuncBody:
		for _, s := range n.Stmts {
			Walk(v, s)
		}
		walkExpr(v, n.Result)
	case *Param:
		walkIdent(v, n.Name)
		if n.Type != nil {
			Walk(v, n.Type)
		}
		walkExpr(v, n.Default)
	case *TypeExpr:
		walkExprs(v, n.Columns)
	case *TypeOfExpr:
		walkExprs(v, n.Types)
	case *Schema:
		walkParams(v, n.Columns)
	case *NamedParam:
		walkExpr(v, n.Value)
	case *DataTableExpr:
		walkNamed(v, n.Params)
		if n.Schema != nil {
			Walk(v, n.Schema)
		}
		walkExprs(v, n.Values)
	case *ExternalDataExpr:
		walkNamed(v, n.Params)
		if n.Schema != nil {
			Walk(v, n.Schema)
		}
		walkExprs(v, n.URIs)
		walkNamed(v, n.With)
	case *ToScalarExpr:
		walkNamed(v, n.Params)
		walkExpr(v, n.X)
	case *MaterializeExpr:
		walkExpr(v, n.X)
	case *ToTypeExpr:
		walkExpr(v, n.X)
		if n.Type != nil {
			Walk(v, n.Type)
		}
	case *DefaultExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Value)
	case *DataScopeExpr:
		walkExpr(v, n.X)
		walkIdent(v, n.Value)
	case *EntityGroupExpr:
		walkExprs(v, n.Elems)
	case *ContextualDataTableExpr:
		walkExpr(v, n.ID)
		if n.Schema != nil {
			Walk(v, n.Schema)
		}
	case *MaterializedViewCombineExpr:
		walkExpr(v, n.View)
		walkExpr(v, n.Base)
		walkExpr(v, n.Delta)
		walkExpr(v, n.Aggregations)
	case *MacroExpandOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Group)
		walkIdent(v, n.As)
		for _, s := range n.Stmts {
			Walk(v, s)
		}
	case *InlineExternalTableOp:
		if n.Schema != nil {
			Walk(v, n.Schema)
		}
		walkIdent(v, n.Kind)
		walkParams(v, n.Partitions)
		walkExprs(v, n.PathFormat)
		walkIdent(v, n.DataFormat)
		walkExprs(v, n.ConnectionStrings)
		walkNamed(v, n.With)
	case *MakeGraphOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Source)
		walkExpr(v, n.Target)
		walkIdent(v, n.WithNodeID)
		for _, k := range n.With {
			Walk(v, k)
		}
		walkExpr(v, n.PartitionedBy)
		walkExpr(v, n.Subquery)
	case *GraphTableKey:
		walkExpr(v, n.Table)
		walkExpr(v, n.Key)
	case *GraphMatchOp:
		walkNamed(v, n.Params)
		for _, g := range n.Patterns {
			Walk(v, g)
		}
		walkExpr(v, n.Where)
		walkExprs(v, n.Project)
	case *GraphPattern:
		walkExprs(v, n.Elems)
	case *GraphNode:
		walkIdent(v, n.Name)
	case *GraphEdge:
		walkIdent(v, n.Name)
		walkExpr(v, n.Low)
		walkExpr(v, n.High)
	case *GraphToTableOp:
		for _, g := range n.Outputs {
			Walk(v, g)
		}
	case *GraphOutput:
		walkIdent(v, n.As)
		walkNamed(v, n.Params)
	case *GraphMarkComponentsOp:
		walkNamed(v, n.Params)
	case *GraphWhereOp:
		walkExpr(v, n.Pred)
	case *PartitionByOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Entity)
		walkExpr(v, n.ID)
		walkExpr(v, n.Subquery)
	case *PipeExpr:
		walkExpr(v, n.Source)
		for _, o := range n.Ops {
			Walk(v, o)
		}
	case *WhereOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Pred)
	case *ExtendOp:
		walkExprs(v, n.Exprs)
	case *ProjectOp:
		walkExprs(v, n.Exprs)
	case *ProjectAwayOp:
		walkExprs(v, n.Columns)
	case *ProjectReorderOp:
		walkExprs(v, n.Columns)
	case *SummarizeOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.Aggs)
		walkExprs(v, n.Groups)
		walkExpr(v, n.Bin)
	case *JoinOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Right)
		walkExprs(v, n.Conds)
		walkExpr(v, n.Where)
	case *LookupOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Right)
		walkExprs(v, n.Conds)
	case *UnionOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.Tables)
	case *ParseOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Source)
		walkExprs(v, n.Pattern)
	case *ParseKvOp:
		walkExpr(v, n.Source)
		if n.Keys != nil {
			Walk(v, n.Keys)
		}
		walkNamed(v, n.With)
	case *MvExpandOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.Items)
		walkExpr(v, n.Limit)
	case *MvApplyOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.Items)
		walkExpr(v, n.Limit)
		walkExpr(v, n.ID)
		walkExpr(v, n.Subquery)
	case *MakeSeriesOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.Aggs)
		walkExpr(v, n.Axis)
		walkExpr(v, n.From)
		walkExpr(v, n.To)
		walkExpr(v, n.Step)
		if n.InRange != nil {
			Walk(v, n.InRange)
		}
		walkExprs(v, n.Groups)
	case *TopOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Count)
		walkExpr(v, n.By)
	case *TopNestedOp:
		for _, c := range n.Clauses {
			Walk(v, c)
		}
	case *TopNestedClause:
		walkExpr(v, n.Count)
		walkExpr(v, n.Of)
		walkExpr(v, n.Others)
		walkExpr(v, n.By)
	case *TopHittersOp:
		walkExpr(v, n.Count)
		walkExpr(v, n.Of)
		walkExpr(v, n.By)
	case *TakeOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Count)
	case *SortOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.By)
	case *DistinctOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.Columns)
	case *CountOp:
		walkIdent(v, n.As)
	case *EvaluateOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Plugin)
		if n.Schema != nil {
			Walk(v, n.Schema)
		}
	case *InvokeOp:
		walkExpr(v, n.Call)
	case *AsOp:
		walkNamed(v, n.Params)
		walkIdent(v, n.Alias)
	case *GetSchemaOp:
		walkNamed(v, n.Params)
	case *SampleOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Count)
	case *SampleDistinctOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Count)
		walkExpr(v, n.Of)
	case *SerializeOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.Exprs)
	case *RenderOp:
		walkIdent(v, n.Chart)
		walkNamed(v, n.Params)
		walkNamed(v, n.With)
	case *ForkOp:
		for _, b := range n.Branches {
			Walk(v, b)
		}
	case *ForkBranch:
		walkIdent(v, n.Name)
		walkExpr(v, n.Query)
	case *FacetOp:
		walkExprs(v, n.Columns)
		walkExpr(v, n.With)
	case *SearchOp:
		walkNamed(v, n.Params)
		walkIdent(v, n.DataScope)
		walkExprs(v, n.In)
		walkExpr(v, n.Pred)
	case *FindOp:
		walkIdent(v, n.DataScope)
		walkNamed(v, n.Params)
		walkExprs(v, n.In)
		walkExpr(v, n.Pred)
		walkExprs(v, n.Project)
	case *RangeOp:
		walkIdent(v, n.Column)
		walkExpr(v, n.From)
		walkExpr(v, n.To)
		walkExpr(v, n.Step)
	case *PrintOp:
		walkExprs(v, n.Exprs)
	case *ScanOp:
		walkNamed(v, n.Params)
		walkExprs(v, n.OrderBy)
		walkExprs(v, n.PartitionBy)
		walkParams(v, n.Declare)
		for _, s := range n.Steps {
			Walk(v, s)
		}
	case *ScanStep:
		walkIdent(v, n.Name)
		walkExpr(v, n.Cond)
		walkExprs(v, n.Assigns)
	case *PartitionOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.Column)
		walkExpr(v, n.Scope)
		walkExpr(v, n.Subquery)
	case *ReduceOp:
		walkNamed(v, n.Params)
		walkExpr(v, n.By)
		walkNamed(v, n.With)
	case *ConsumeOp:
		walkNamed(v, n.Params)
	case *AssertSchemaOp:
		if n.Schema != nil {
			Walk(v, n.Schema)
		}
	}
	v.Visit(nil)
}

func walkExpr(v Visitor, x Expr) {
	if x != nil {
		Walk(v, x)
	}
}

func walkIdent(v Visitor, id *Ident) {
	if id != nil {
		Walk(v, id)
	}
}

func walkExprs(v Visitor, xs []Expr) {
	for _, x := range xs {
		walkExpr(v, x)
	}
}

func walkParams(v Visitor, ps []*Param) {
	for _, p := range ps {
		if p != nil {
			Walk(v, p)
		}
	}
}

func walkNamed(v Visitor, ps []*NamedParam) {
	for _, p := range ps {
		if p != nil {
			Walk(v, p)
		}
	}
}

type inspector func(Node) bool

// Visit calls the function and continues while it returns true.
func (f inspector) Visit(node Node) Visitor {
	if node != nil && f(node) {
		return f
	}
	return nil
}

// Inspect traverses a syntax tree in depth-first order: it calls f(node)
// for each node; if f returns true, Inspect visits the node's children.
func Inspect(node Node, f func(Node) bool) {
	Walk(inspector(f), node)
}
