package sigma

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
)

// TestIndicatorSetMatchesAddPredicate checks that the map-based indicator
// set gives exactly what rule.Analysis.AddPredicate gives.
func TestIndicatorSetMatchesAddPredicate(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	fields := []string{"Image", "CommandLine", "*"}
	kinds := []string{rule.KindEq, rule.KindIn, rule.KindContains, rule.KindIsNull, rule.KindIsNotNull}
	values := []string{"a", "b", "c", ""}
	transforms := [][]string{nil, {rule.TransformCased}, {rule.TransformAll, rule.TransformWindash}}
	for round := 0; round < 200; round++ {
		var want, got rule.Analysis
		set := newIndicatorSet(&got)
		for i := 0; i < 20; i++ {
			p := rule.Predicate{Field: fields[rng.Intn(len(fields))], Kind: kinds[rng.Intn(len(kinds))],
				Transforms: transforms[rng.Intn(len(transforms))], Negated: rng.Intn(3) == 0}
			if p.Kind != rule.KindIsNull && p.Kind != rule.KindIsNotNull || rng.Intn(4) == 0 {
				for n := rng.Intn(4); n >= 0; n-- {
					p.Values = append(p.Values, values[rng.Intn(len(values))])
				}
			}
			want.AddPredicate(p)
			set.add(p)
		}
		if !reflect.DeepEqual(want.Indicators, got.Indicators) || !reflect.DeepEqual(want.Exclusions, got.Exclusions) {
			t.Fatalf("round %d:\nAddPredicate %+v %+v\nindicatorSet %+v %+v", round, want.Indicators, want.Exclusions, got.Indicators, got.Exclusions)
		}
	}
}
