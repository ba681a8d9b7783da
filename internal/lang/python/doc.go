// Package python parses the Python that detection rules are written in
// (Panther's rule(event) functions, their helpers and data models), with
// positions, for explaining them. Nothing is ever executed.
//
// The lexer follows the Python 3 reference (2. Lexical analysis):
// indentation produces INDENT and DEDENT tokens, newlines inside brackets
// and after a backslash join lines, blank and comment-only lines do not
// count; string literals take every prefix (r, b, u, f and pairs) and
// triple quotes; f-string replacement fields are parsed as expressions
// (with positions in the file) and may hold strings of the other quote.
//
// The parser is a hand-written recursive-descent parser in the style of
// go/parser for Python 3 statements (def with decorators, annotations and
// every parameter kind, class, if/elif/else, for, while, try/except/
// finally, with, match/case, return, assignments of every form, import,
// global, del, assert, raise) and expressions (boolean and chained
// comparison operators, in/not in/is/is not, arithmetic, calls with
// keyword and star arguments, attributes, subscripts and slices,
// conditional expressions, lambdas, := , comprehensions and generator
// expressions, list/tuple/set/dict displays, f-strings, await, yield).
// Every node has byte-offset positions (Pos/End); after an error the
// parser reports it with its position, skips to the end of the logical line
// or the closing bracket and goes on, so the rest of the module is kept; an
// unclosed bracket before a def or class at the left margin is closed there.
// Nesting is bounded (MaxDepth). Print renders a module back as Python
// whose parse gives the same tree.
package python
