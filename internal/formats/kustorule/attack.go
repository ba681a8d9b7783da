package kustorule

import (
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Ref is an ATT&CK reference as the source writes it and the line it is on.
type Ref struct {
	Value string
	Line  int
}

// Values returns the values of refs.
func Values(refs []Ref) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.Value)
	}
	return out
}

// MapAttackRefs maps techniques and tactics like MapAttack, placing each
// problem on the line of the reference it is about.
func MapAttackRefs(d *rule.Document, cat *attack.Catalog, techniques, tactics []Ref) {
	if len(techniques) == 0 && len(tactics) == 0 {
		return
	}
	got, problems := cat.Map(Values(techniques), Values(tactics))
	for _, a := range got {
		if !slices.Contains(d.Attack, a) {
			d.Attack = append(d.Attack, a)
		}
	}
	for _, p := range problems {
		line, value := 0, ""
		for _, r := range slices.Concat(techniques, tactics) {
			v := strings.TrimSpace(r.Value)
			if v == "" {
				continue
			}
			if strings.Contains(p, `"`+v+`"`) || strings.Contains(p, `"`+attack.NormalizeTechniqueID(v)+`"`) ||
				strings.Contains(p, "technique "+attack.NormalizeTechniqueID(v)+" ") {
				line, value = r.Line, v
				break
			}
		}
		if line == 0 {
			line = lineMentioning(d.Body, p)
		}
		diag := source.Diagnostic{Code: CodeAttack, Severity: source.Warning, Message: p, Path: d.Source.Path, Line: line}
		if line > 0 {
			diag.Col = columnOf(d.Body, line, value)
		}
		if !slices.ContainsFunc(d.Analysis.Diagnostics, func(x source.Diagnostic) bool { return x.Code == CodeAttack && x.Message == p }) {
			d.Diagnose(diag)
		}
	}
}

// TechniqueByName finds a technique by its ATT&CK name ("Remote Services:
// Distributed Component Object Model", "Process Injection") in cat; names
// are compared without case. Revoked and deprecated techniques are found
// only when no live one has the name.
func TechniqueByName(cat *attack.Catalog, name string) (*attack.Technique, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, false
	}
	var found *attack.Technique
	for _, t := range cat.Techniques {
		if strings.EqualFold(cat.FullName(t), name) || !t.IsSub() && strings.EqualFold(t.Name, name) {
			if !(t.Revoked || t.Deprecated) {
				return t, true
			}
			if found == nil {
				found = t
			}
		}
	}
	return found, found != nil
}

// lineMentioning returns the first line of body that holds the technique id
// or the quoted name a problem message is about (0 if none does).
// columnOf returns the 1-based byte column where value is written on the
// given line of body (compared without case), or 1.
func columnOf(body string, line int, value string) int {
	if value == "" || line < 1 {
		return 1
	}
	for i := 1; i < line; i++ {
		nl := strings.IndexByte(body, '\n')
		if nl < 0 {
			return 1
		}
		body = body[nl+1:]
	}
	if nl := strings.IndexByte(body, '\n'); nl >= 0 {
		body = body[:nl]
	}
	if i := strings.Index(strings.ToLower(body), strings.ToLower(value)); i >= 0 {
		return i + 1
	}
	return 1
}

func lineMentioning(body, problem string) int {
	var key string
	if i := strings.IndexByte(problem, '"'); i >= 0 {
		if j := strings.IndexByte(problem[i+1:], '"'); j > 0 {
			key = problem[i+1 : i+1+j]
		}
	} else if i := strings.Index(problem, "technique "); i >= 0 {
		key, _, _ = strings.Cut(problem[i+len("technique "):], " ")
	}
	if key == "" {
		return 0
	}
	i := strings.Index(body, key)
	if i < 0 && strings.Contains(key, ".") {
		i = strings.Index(body, strings.Replace(key, ".", "/", 1))
	}
	if i < 0 {
		return 0
	}
	return 1 + strings.Count(body[:i], "\n")
}
