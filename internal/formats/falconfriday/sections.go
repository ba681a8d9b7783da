package falconfriday

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/source"
)

// metadata reads "## Metadata": ID, OS and FP rate (other fields go to
// extra under their lower-case name).
func (rd *reading) metadata(s *kustorule.Section) {
	d := rd.d
	for _, fl := range kustorule.Fields(s.Blocks) {
		v := kustorule.PlainText(fl.Value)
		switch strings.ToLower(fl.Key) {
		case "id":
			kustorule.SetExtra(d, "id", v)
		case "os":
			kustorule.SetExtra(d, "os", v)
			for _, os := range strings.Split(v, ",") {
				if p := kustorule.Platform(os); p != "" {
					d.Platforms = kustorule.AppendUnique(d.Platforms, p)
				}
			}
		case "fp rate":
			kustorule.SetExtra(d, "fp_rate", v)
		default:
			kustorule.SetExtra(d, extraKey(fl.Key), v)
		}
	}
}

// huntTags reads the hunts layout's "## Hunt Tags": ID (a technique id),
// last modified, author, license, references.
func (rd *reading) huntTags(s *kustorule.Section) {
	d := rd.d
	for _, fl := range kustorule.Fields(s.Blocks) {
		v := kustorule.PlainText(fl.Value)
		switch strings.ToLower(fl.Key) {
		case "id":
			kustorule.SetExtra(d, "id", v)
			kustorule.MapAttack(d, rd.cat, kustorule.TechniqueRefs(v), nil, fl.Line)
		case "last modified":
			d.Modified = kustorule.ISODate(v)
		case "author":
			d.Author = v
		case "references":
			d.References = kustorule.AppendUnique(d.References, kustorule.URLs(fl.Value)...)
		default:
			kustorule.SetExtra(d, extraKey(fl.Key), v)
		}
	}
}

// extraKey turns a field or column name into an extra key: lower case,
// words joined by '_' ("ATT&CK Data Source" gives attack_data_source).
func extraKey(k string) string {
	k = strings.ReplaceAll(strings.ToLower(k), "att&ck", "attack")
	k = strings.ReplaceAll(k, "&", "and")
	return strings.Join(strings.Fields(k), "_")
}

// attackTags reads "## ATT&CK Tags": the detection layout's table (Tactic
// "TA0005 - Defense Evasion", Technique T1218, Subtechnique 014), each row
// mapped on its own so a technique stays under the tactic its row names;
// or the hunts layout's "**Tactic:**" and "**Technique:**" lines, which
// name them in words.
func (rd *reading) attackTags(s *kustorule.Section) {
	d := rd.d
	for _, b := range s.Blocks {
		if b.Kind != kustorule.Table || len(b.Cells) < 2 {
			continue
		}
		cols := columns(b.Cells[0])
		for i, row := range b.Cells[1:] {
			line := b.Line + 2 + i
			tactic := tacticRef(cell(row, cols, "tactic"))
			tech := strings.TrimSpace(cell(row, cols, "technique"))
			if sub := strings.TrimSpace(cell(row, cols, "subtechnique")); sub != "" && tech != "" && !strings.Contains(tech, ".") {
				tech += "." + strings.TrimPrefix(sub, ".")
			}
			var techs, tactics []string
			if tech != "" {
				techs = []string{tech}
			}
			if tactic != "" {
				tactics = []string{tactic}
			}
			kustorule.MapAttack(d, rd.cat, techs, tactics, line)
		}
	}
	var tactics []kustorule.Ref
	var techniques []kustorule.Ref
	for _, fl := range kustorule.Fields(s.Blocks) {
		v := kustorule.PlainText(fl.Value)
		switch strings.ToLower(fl.Key) {
		case "tactic", "tactics":
			for _, t := range strings.Split(v, ",") {
				tactics = append(tactics, kustorule.Ref{Value: strings.TrimSpace(t), Line: fl.Line})
			}
		case "technique", "techniques":
			if ids := kustorule.TechniqueRefs(v); len(ids) > 0 {
				for _, id := range ids {
					techniques = append(techniques, kustorule.Ref{Value: id, Line: fl.Line})
				}
				continue
			}
			rd.techniqueNames(v, fl.Line, &techniques)
		}
	}
	kustorule.MapAttackRefs(d, rd.cat, techniques, tactics)
}

// techniqueNames resolves techniques written by name ("Remote Services:
// Distributed Component Object Model"); a name the catalog does not know is
// a warning. The hunt's own ID (a technique id) usually covers it already.
func (rd *reading) techniqueNames(v string, line int, out *[]kustorule.Ref) {
	if t, ok := kustorule.TechniqueByName(rd.cat, v); ok {
		*out = append(*out, kustorule.Ref{Value: t.ID, Line: line})
		return
	}
	for _, name := range strings.Split(v, ",") {
		if t, ok := kustorule.TechniqueByName(rd.cat, name); ok {
			*out = append(*out, kustorule.Ref{Value: t.ID, Line: line})
			continue
		}
		if len(rd.d.Attack) > 0 {
			continue // the hunt's ID already maps its technique
		}
		rd.d.Diagnose(source.Diagnostic{Code: kustorule.CodeAttack, Severity: source.Warning, Line: line, Col: 1,
			Message: fmt.Sprintf("unknown ATT&CK technique name %q", strings.TrimSpace(name))})
	}
}

// tacticRef returns the tactic of a "TA0005 - Defense Evasion" cell: the id
// when it has one, else the name.
func tacticRef(c string) string {
	c = strings.TrimSpace(c)
	if id, _, ok := strings.Cut(c, " - "); ok && strings.HasPrefix(strings.TrimSpace(id), "TA") {
		return strings.TrimSpace(id)
	}
	return c
}

// columns maps lower-case header names to their index.
func columns(header []string) map[string]int {
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	return cols
}

func cell(row []string, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// dataSources reads the "Utilized Data Sources" table: its rows go to extra
// as written (keyed by header), log providers and table names to
// data_sources. The hunts layout names the table in its Event Name column.
func (rd *reading) dataSources(s *kustorule.Section) {
	d := rd.d
	var rows []map[string]string
	for _, b := range s.Blocks {
		if b.Kind != kustorule.Table || len(b.Cells) < 2 {
			continue
		}
		header := b.Cells[0]
		cols := columns(header)
		for _, row := range b.Cells[1:] {
			m := map[string]string{}
			for i, h := range header {
				if i < len(row) && !kustorule.IsNone(row[i]) {
					m[extraKey(h)] = strings.TrimSpace(row[i])
				}
			}
			if len(m) == 0 {
				continue
			}
			rows = append(rows, m)
			d.DataSources = kustorule.AppendUnique(d.DataSources, cell(row, cols, "log provider"))
			table := cell(row, cols, "table name")
			if _, hasTable := cols["table name"]; !hasTable {
				if id := cell(row, cols, "event id"); id == "" || id == "-" {
					table = cell(row, cols, "event name")
				}
			}
			d.DataSources = kustorule.AppendUnique(d.DataSources, table)
		}
	}
	if len(rows) > 0 {
		kustorule.SetExtra(d, "data_sources", rows)
	}
}

// detectionFields reads the fields of "## Detection" (Language, Platform)
// and of the hunts' "## Hunt details" (FP Rate, Source, Description).
func (rd *reading) detectionFields(s *kustorule.Section) {
	d := rd.d
	for _, fl := range kustorule.Fields(s.Blocks) {
		v := kustorule.PlainText(fl.Value)
		if v == "" {
			continue
		}
		switch k := strings.ToLower(fl.Key); k {
		case "query":
		case "language":
			kustorule.SetExtra(d, "language", v)
			if l := strings.ToLower(v); l != "kusto" && l != "kql" {
				d.Diagnose(source.Diagnostic{Code: kustorule.CodeNoQueryBlock, Severity: source.Warning, Line: fl.Line, Col: 1,
					Message: "the detection's language is " + v + ", not Kusto; its query is read as KQL"})
			}
		case "platform":
			kustorule.SetExtra(d, "platform", v)
		case "fp rate":
			kustorule.SetExtra(d, "fp_rate", v)
		case "description":
			if d.Description == "" && !strings.EqualFold(v, "See above") {
				d.Description = v
			}
		case "source":
			kustorule.SetExtra(d, "source", v)
			for _, src := range strings.Split(v, ",") {
				d.DataSources = kustorule.AppendUnique(d.DataSources, kustorule.PlainText(src))
			}
		default:
			kustorule.SetExtra(d, extraKey(k), v)
		}
	}
}

// versionHistory reads the version table: the whole table goes to extra,
// the newest version to version, the oldest and newest dates to created
// and modified.
func (rd *reading) versionHistory(s *kustorule.Section) {
	d := rd.d
	var history []map[string]string
	for _, b := range s.Blocks {
		if b.Kind != kustorule.Table || len(b.Cells) < 2 {
			continue
		}
		cols := columns(b.Cells[0])
		for _, row := range b.Cells[1:] {
			entry := map[string]string{}
			for name := range cols {
				if v := cell(row, cols, name); v != "" {
					entry[extraKey(name)] = v
				}
			}
			if len(entry) == 0 {
				continue
			}
			history = append(history, entry)
			date := kustorule.ISODate(entry["date"])
			if date != "" && (d.Created == "" || date < d.Created) {
				d.Created = date
			}
			if date != "" && date >= d.Modified {
				d.Modified = date
				if v := entry["version"]; v != "" {
					d.Version = v
				}
			}
		}
	}
	if len(history) > 0 {
		kustorule.SetExtra(d, "version_history", history)
	}
}

// platformsFromName uses the file name's suffix (-Win, -AWS, -Azure) when
// the metadata names no platform.
func (rd *reading) platformsFromName() {
	if len(rd.d.Platforms) > 0 {
		return
	}
	stem := kustorule.Stem(rd.f.Base())
	i := strings.LastIndexByte(stem, '-')
	if i < 0 {
		return
	}
	if p := kustorule.Platform(stem[i+1:]); p != "" {
		rd.d.Platforms = []string{p}
	}
}
