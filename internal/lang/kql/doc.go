// Package kql is a front end for the Kusto Query Language (KQL) as used by
// Microsoft Sentinel and Defender rules: a scanner, a recursive-descent
// parser with Kusto's precedence and error recovery, a syntax tree with byte
// positions on every node, a walker and a printer.
//
// The grammar, the keyword set and the error messages follow Microsoft's own
// parser (Kusto.Language): a query is accepted or rejected the way the
// reference parser does (checked against its verdicts on the whole rule
// corpus, see docs/lang-kql.md), and errors say what it says ("Expected: )",
// "Missing expression", "The incomplete fragment is unexpected.").
//
//	script, errs := kql.Parse(query)
//	for _, e := range errs {
//		fmt.Println(e.Diagnostic(source.NewLineTable("rule.kql", query)))
//	}
//	kql.Inspect(script, func(n kql.Node) bool {
//		if w, ok := n.(*kql.WhereOp); ok {
//			fmt.Println(kql.Text(query, w.Pred))
//		}
//		return true
//	})
//
// Parse never panics and always returns a tree; what could not be parsed is
// represented by BadExpr, BadOp and BadStmt nodes.
package kql
