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
