package sigma

import "github.com/detwiki/detwiki/internal/source"

// Modifier is one value modifier of a detection item's key, as written after
// a pipe: Image|endswith, CommandLine|contains|all.
type Modifier struct {
	// Name is the modifier in lower case, an alias resolved (wide is
	// utf16le; ignorecase, multiline and dotall are i, m and s).
	Name string
	// Written is the modifier as the rule spells it.
	Written string
	Pos     source.Pos
}

// Compare says how an item's values are compared with the field.
type Compare uint8

// The comparisons. CompareEqual is the default (no modifier), with
// wildcards in the value.
const (
	CompareEqual Compare = iota
	CompareContains
	CompareStartsWith
	CompareEndsWith
	CompareRegex
	CompareCIDR
	CompareGT
	CompareGTE
	CompareLT
	CompareLTE
	CompareExists
	CompareNotEqual
)

var compareNames = [...]string{"equal", "contains", "startswith", "endswith", "re", "cidr", "gt", "gte", "lt", "lte", "exists", "neq"}

// String returns the comparison as Sigma names its modifier ("equal" for
// the default).
func (c Compare) String() string {
	if int(c) < len(compareNames) {
		return compareNames[c]
	}
	return "compare?"
}

// modClass groups modifiers by what they do.
type modClass uint8

const (
	modCompare   modClass = iota + 1 // sets Compare
	modEncoding                      // transforms the value (base64, utf16, windash)
	modRegexFlag                     // i, m, s after re
	modFlag                          // all, cased, fieldref, expand
	modTime                          // minute, hour, ... (Sigma 2.1)
)

type modInfo struct {
	class   modClass
	name    string // canonical name
	compare Compare
}

// modifiers is the table of every modifier of the specification (v2.1) and
// pySigma's aliases.
var modifiers = map[string]modInfo{
	"contains":     {modCompare, "contains", CompareContains},
	"startswith":   {modCompare, "startswith", CompareStartsWith},
	"endswith":     {modCompare, "endswith", CompareEndsWith},
	"re":           {modCompare, "re", CompareRegex},
	"cidr":         {modCompare, "cidr", CompareCIDR},
	"gt":           {modCompare, "gt", CompareGT},
	"gte":          {modCompare, "gte", CompareGTE},
	"lt":           {modCompare, "lt", CompareLT},
	"lte":          {modCompare, "lte", CompareLTE},
	"exists":       {modCompare, "exists", CompareExists},
	"neq":          {modCompare, "neq", CompareNotEqual},
	"base64":       {class: modEncoding, name: "base64"},
	"base64offset": {class: modEncoding, name: "base64offset"},
	"utf16le":      {class: modEncoding, name: "utf16le"},
	"wide":         {class: modEncoding, name: "utf16le"},
	"utf16be":      {class: modEncoding, name: "utf16be"},
	"utf16":        {class: modEncoding, name: "utf16"},
	"windash":      {class: modEncoding, name: "windash"},
	"i":            {class: modRegexFlag, name: "i"},
	"ignorecase":   {class: modRegexFlag, name: "i"},
	"m":            {class: modRegexFlag, name: "m"},
	"multiline":    {class: modRegexFlag, name: "m"},
	"s":            {class: modRegexFlag, name: "s"},
	"dotall":       {class: modRegexFlag, name: "s"},
	"all":          {class: modFlag, name: "all"},
	"cased":        {class: modFlag, name: "cased"},
	"fieldref":     {class: modFlag, name: "fieldref"},
	"expand":       {class: modFlag, name: "expand"},
	"minute":       {class: modTime, name: "minute"},
	"hour":         {class: modTime, name: "hour"},
	"day":          {class: modTime, name: "day"},
	"week":         {class: modTime, name: "week"},
	"month":        {class: modTime, name: "month"},
	"year":         {class: modTime, name: "year"},
}

// KnownModifier reports whether name (in lower case) is a Sigma modifier.
func KnownModifier(name string) bool {
	_, ok := modifiers[name]
	return ok
}

// IsEncoding reports whether the modifier transforms the value itself
// (base64, base64offset, utf16le, utf16be, utf16, windash).
func (m Modifier) IsEncoding() bool { return modifiers[m.Name].class == modEncoding }
