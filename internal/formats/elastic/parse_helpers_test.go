package elastic

import (
	"github.com/detwiki/detwiki/internal/lang/eql"
	"github.com/detwiki/detwiki/internal/lang/esql"
	"github.com/detwiki/detwiki/internal/lang/kuery"
	"github.com/detwiki/detwiki/internal/lang/lucene"
)

func eqlParse(q string) (*eql.Query, int) {
	t, errs := eql.Parse(q)
	return t, len(errs)
}

func kueryParse(q string) int {
	_, errs := kuery.Parse(q)
	return len(errs)
}

func luceneParse(q string) int {
	_, errs := lucene.Parse(q)
	return len(errs)
}

func esqlParse(q string) int {
	_, errs := esql.Parse(q)
	return len(errs)
}

// reprint parses a query, prints it, parses the print and prints again; it
// returns the two prints and whether the query parsed.
func reprint(lang, q string) (first, second string, ok bool) {
	switch lang {
	case LangEQL:
		t, errs := eql.Parse(q)
		if len(errs) > 0 {
			return "", "", false
		}
		first = eql.Print(t)
		t2, _ := eql.Parse(first)
		return first, eql.Print(t2), true
	case LangKuery:
		t, errs := kuery.Parse(q)
		if len(errs) > 0 {
			return "", "", false
		}
		first = kuery.Print(t)
		t2, _ := kuery.Parse(first)
		return first, kuery.Print(t2), true
	case LangLucene:
		t, errs := lucene.Parse(q)
		if len(errs) > 0 {
			return "", "", false
		}
		first = lucene.Print(t)
		t2, _ := lucene.Parse(first)
		return first, lucene.Print(t2), true
	case LangESQL:
		t, errs := esql.Parse(q)
		if len(errs) > 0 {
			return "", "", false
		}
		first = esql.Print(t)
		t2, _ := esql.Parse(first)
		return first, esql.Print(t2), true
	}
	return "", "", false
}
