package sql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

// sx renders a condition with its structure explicit.
func sx(e Expr) string {
	switch x := e.(type) {
	case nil:
		return "nil"
	case *Ref:
		col, path := x.Column()
		if path != "" {
			return col + ":" + path
		}
		return col
	case *Lit:
		if x.Kind == LitString {
			return "'" + x.Value + "'"
		}
		return x.Value
	case *Call:
		var args []string
		for _, a := range x.Args {
			args = append(args, sx(a))
		}
		return x.Name + "(" + strings.Join(args, ", ") + ")"
	case *Unary:
		return "(" + x.Op + " " + sx(x.X) + ")"
	case *Binary:
		return "(" + x.Op + " " + sx(x.X) + " " + sx(x.Y) + ")"
	case *In:
		op := "IN"
		if x.Not {
			op = "NOT IN"
		}
		if x.Sub {
			return "(" + op + " " + sx(x.X) + " subquery)"
		}
		var list []string
		for _, a := range x.List {
			list = append(list, sx(a))
		}
		return "(" + op + " " + sx(x.X) + " [" + strings.Join(list, " ") + "])"
	case *Like:
		op := x.Op
		if x.Not {
			op = "NOT " + op
		}
		var list []string
		for _, a := range x.Patterns {
			list = append(list, sx(a))
		}
		return "(" + op + " " + sx(x.X) + " " + strings.Join(list, " ") + ")"
	case *Between:
		return "(BETWEEN " + sx(x.X) + " " + sx(x.Lo) + " " + sx(x.Hi) + ")"
	case *IsNull:
		if x.Not {
			return "(IS NOT NULL " + sx(x.X) + ")"
		}
		return "(IS NULL " + sx(x.X) + ")"
	case *Cast:
		return "(:: " + sx(x.X) + " " + x.Type + ")"
	case *Paren:
		return sx(x.X)
	case *Opaque:
		return "opaque"
	}
	return "?"
}

var queryTests = []struct {
	in     string
	tables string // per select: tables separated by ',', selects by ';'
	where  string // the first select's WHERE
}{
	{`SELECT * FROM panther_logs.public.aws_cloudtrail WHERE eventName = 'ConsoleLogin' AND p_occurs_since('1 day')`,
		`panther_logs.public.aws_cloudtrail`, `(AND (= eventName 'ConsoleLogin') p_occurs_since('1 day'))`},
	{`select a from t1 x join t2 as y on x.id = y.id where x.b in ('p', 'q') and not y.c ilike '%admin%'`,
		`t1 x,t2 y`, `(AND (IN x.b ['p' 'q']) (NOT (ILIKE y.c '%admin%')))`},
	{`SELECT * FROM logs WHERE client:ip_address NOT LIKE '10.%' AND properties:result::string = 'success' AND v['k'] IS NOT NULL`,
		`logs`, `(AND (AND (NOT LIKE client:ip_address '10.%') (= (:: properties:result STRING) 'success')) (IS NOT NULL v:k))`},
	{`WITH a AS (SELECT x FROM t WHERE y > 5), b AS (SELECT * FROM a) SELECT * FROM b WHERE z BETWEEN 1 AND 2 OR w IS NULL`,
		`t;a;b`, `(> y 5)`},
	{`SELECT * FROM t WHERE ip NOT IN (SELECT aip FROM u WHERE k = 'v') AND name ILIKE ANY ('%a%', '%b%')`,
		`t;u`, `(AND (NOT IN ip subquery) (ILIKE ANY name '%a%' '%b%'))`},
	{`select count(*) as c, array_agg(distinct x) within group (order by x) from t group by y having c >= 5 order by c desc limit 10;`,
		`t`, `nil`},
	{`SELECT CASE WHEN a = 1 THEN 'x' END AS k FROM t WHERE CASE WHEN a THEN b END = 'x' AND DATEDIFF(HOUR, ts, CURRENT_TIMESTAMP) < 24`,
		`t`, `(AND (= opaque 'x') (< DATEDIFF(HOUR, ts, CURRENT_TIMESTAMP) 24))`},
	{"-- comment\nselect * from t /* block */ where a = 'it''s' // tail\n", `t`, `(= a 'it's')`},
	{`SELECT * FROM t, LATERAL FLATTEN(input => t.arr) f WHERE f.value:name = 'x'`, `t`, `(= f.value:name 'x')`},
	{`SELECT * FROM t1 UNION ALL SELECT * FROM t2`, `t1;t2`, `nil`},
}

func TestParseQueries(t *testing.T) {
	for _, tt := range queryTests {
		q, errs := Parse(tt.in)
		if len(errs) > 0 {
			t.Errorf("%s: %v", tt.in, errs)
			continue
		}
		var sels []string
		for _, s := range q.Selects {
			var ts []string
			for _, r := range s.Tables {
				ts = append(ts, strings.TrimSpace(r.Name+" "+r.Alias))
			}
			sels = append(sels, strings.Join(ts, ","))
		}
		if got := strings.Join(sels, ";"); got != tt.tables {
			t.Errorf("%s: tables %q, want %q", tt.in, got, tt.tables)
		}
		if len(q.Selects) > 0 {
			if got := sx(q.Selects[0].Where); got != tt.where {
				t.Errorf("%s:\n where %s\n  want %s", tt.in, got, tt.where)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`SELECT * FROM t WHERE a = `, "expected an expression, found end of query"},
		{`SELECT * FROM t WHERE a IN ('x'`, "expected ')', found end of query, to close the '(' at 1:28"},
		{"SELECT * FROM t\nWHERE a IN (SELECT b FROM u", "expected ')', found end of query, to close the '(' at 2:12"},
		{`SELECT * FROM t WHERE a = 'x`, "string not terminated"},
		{`DELETE FROM t`, "expected SELECT or WITH, found 'DELETE'"},
		{`SELECT * FROM t WHERE a ~ 1`, "illegal character \"~\""},
	} {
		q, errs := Parse(tt.in)
		if len(errs) == 0 {
			t.Errorf("%s: no error", tt.in)
			continue
		}
		// The message as shown: a related place is a line:col, never a
		// byte offset.
		if got := errs.Diagnostics(tt.in)[0].Message; got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.in, got, tt.want)
		}
		checkQuery(t, tt.in, q)
	}
}

func TestTemplate(t *testing.T) {
	q, errs := Parse("-- pragma: template\n{% import 'anomalies' x %}\nwith s as (select a from panther_logs.public.okta_systemlog where eventType = 'x'),\n{{ x('s', 'a') }}")
	if len(errs) > 0 || !q.Template || len(q.Selects) != 1 || q.Selects[0].Tables[0].Name != "panther_logs.public.okta_systemlog" {
		t.Errorf("template query: %+v %v", q, errs)
	}
}

func checkQuery(t testing.TB, src string, q *Query) {
	t.Helper()
	for _, s := range q.Selects {
		for _, e := range []Expr{s.Where, s.Having} {
			Inspect(e, func(x Expr) bool {
				if x.Pos() < 0 || int(x.End()) > len(src) || x.End() < x.Pos() {
					t.Fatalf("node %T span %d..%d outside the query (%d bytes)", x, x.Pos(), x.End(), len(src))
				}
				return true
			})
		}
	}
}

// TestCorpusQueries reads the query of every Panther scheduled and saved
// query; at least 95% must read without error.
func TestCorpusQueries(t *testing.T) {
	root := sharedtest.Corpus(t, "panther-analysis")
	total, ok := 0, 0
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
			return err
		}
		data, _ := os.ReadFile(p)
		var y struct {
			AnalysisType string `yaml:"AnalysisType"`
			Query        string `yaml:"Query"`
		}
		if yaml.Unmarshal(data, &y) != nil || y.Query == "" {
			return nil
		}
		total++
		q, errs := Parse(y.Query)
		checkQuery(t, y.Query, q)
		if len(errs) == 0 && len(q.Selects) > 0 {
			ok++
		} else if len(errs) > 0 {
			t.Logf("%s: %v", p, errs[0])
		}
		return nil
	})
	t.Logf("%d of %d queries read without error", ok, total)
	if total < 90 || float64(ok) < 0.95*float64(total) {
		t.Errorf("%d of %d queries read", ok, total)
	}
}

// TestDepthLimit nests parentheses and subqueries past MaxDepth: the
// parser stops with SQL1003 at the place it gave up, and never panics.
func TestDepthLimit(t *testing.T) {
	for _, src := range []string{
		"SELECT * FROM t WHERE " + strings.Repeat("(", MaxDepth+50) + "a = 1" + strings.Repeat(")", MaxDepth+50),
		"SELECT * FROM t WHERE " + strings.Repeat("NOT ", MaxDepth+50) + "a = 1",
		strings.Repeat("SELECT * FROM t WHERE a IN (", MaxDepth) + "SELECT 1" + strings.Repeat(")", MaxDepth),
	} {
		_, errs := Parse(src)
		ds := errs.Diagnostics(src)
		if len(ds) == 0 || ds[len(ds)-1].Code != CodeTooDeep && ds[0].Code != CodeTooDeep {
			t.Errorf("%.40s...: diagnostics %v, want %s", src, ds, CodeTooDeep)
		}
	}
}
