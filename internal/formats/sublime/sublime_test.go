package sublime

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/golden"
	"github.com/detwiki/detwiki/internal/lang/mql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func read(t testing.TB, p, text string) *rule.Document {
	t.Helper()
	f := &formats.File{Repo: "rules", Root: "/rules", Path: p, Abs: "/rules/" + p, Data: []byte(text)}
	docs := formats.ReadFile(New(), f, &formats.Env{Attack: attack.Default()})
	if len(docs) != 1 {
		t.Fatalf("documents = %d, want 1", len(docs))
	}
	return docs[0]
}

func ruleText(src string) string {
	return "name: \"Test rule\"\ndescription: \"d\"\ntype: \"rule\"\nseverity: \"high\"\nsource: |\n  " +
		strings.ReplaceAll(src, "\n", "\n  ") + "\ntags:\n  - \"Suspicious link\"\nid: \"x\"\n"
}

func TestDetect(t *testing.T) {
	r := New()
	for _, tt := range []struct {
		path, text string
		want       bool
	}{
		{"a.yml", ruleText("type.inbound"), true},
		{"a.yaml", ruleText("type.inbound"), true},
		{"a.txt", ruleText("type.inbound"), false},
		{"a.yml", "title: x\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a: b\n  condition: sel\n", false},
		{"a.yml", "AnalysisType: rule\nname: x\ntype: y\nsource: z\n", false},
		{"a.yml", "name: x\nquery: y\n", false},
	} {
		if got := r.Detect(&formats.File{Path: tt.path, Data: []byte(tt.text)}); got != tt.want {
			t.Errorf("Detect(%s, %.30q) = %v", tt.path, tt.text, got)
		}
	}
}

var predicateTests = []struct {
	src  string
	want []rule.Predicate
}{
	// The direction booleans read as the direction (ECS email.direction's values).
	{`type.inbound`, []rule.Predicate{{Field: "type", Kind: "eq", Values: []string{"inbound"}}}},
	{`(type.inbound or type.internal)`, []rule.Predicate{{Field: "type", Kind: "eq", Values: []string{"inbound"}}, {Field: "type", Kind: "eq", Values: []string{"internal"}}}},
	{`not type.outbound`, []rule.Predicate{{Field: "type", Kind: "eq", Values: []string{"outbound"}, Negated: true}}},
	{`type.inbound == false`, []rule.Predicate{{Field: "type", Kind: "eq", Values: []string{"inbound"}, Negated: true}}},
	{`type.outbound != false`, []rule.Predicate{{Field: "type", Kind: "eq", Values: []string{"outbound"}}}},
	{`sender.email.domain.root_domain == "docsend.com"`,
		[]rule.Predicate{{Field: "sender.email.domain.root_domain", Kind: "eq", Values: []string{"docsend.com"}, Transforms: []string{"cased"}}}},
	{`sender.email.domain.root_domain =~ "DocSend.com"`,
		[]rule.Predicate{{Field: "sender.email.domain.root_domain", Kind: "eq", Values: []string{"DocSend.com"}}}},
	{`sender.email.domain.root_domain not in~ ("a.com", "b.com")`,
		[]rule.Predicate{{Field: "sender.email.domain.root_domain", Kind: "in", Values: []string{"a.com", "b.com"}, Negated: true}}},
	{`sender.email.domain.root_domain in $free_email_providers`,
		[]rule.Predicate{{Field: "sender.email.domain.root_domain", Kind: "in", Values: []string{"$free_email_providers"}, Transforms: []string{"expression", "cased"}}}},
	{`any(attachments, .file_extension in~ ("html", "htm"))`,
		[]rule.Predicate{{Field: "attachments[].file_extension", Kind: "in", Values: []string{"html", "htm"}}}},
	{`all(attachments, .file_type == "pdf")`,
		[]rule.Predicate{{Field: "attachments[].file_type", Kind: "eq", Values: []string{"pdf"}, Transforms: []string{"cased", "all"}}}},
	{`strings.ilike(subject.subject, "*invoice*", "urgent*", "*due", "pay?ent", "exact")`,
		[]rule.Predicate{
			{Field: "subject.subject", Kind: "contains", Values: []string{"invoice"}},
			{Field: "subject.subject", Kind: "starts_with", Values: []string{"urgent"}},
			{Field: "subject.subject", Kind: "ends_with", Values: []string{"due"}},
			{Field: "subject.subject", Kind: "match", Values: []string{"pay?ent"}, Transforms: []string{"wildcard"}},
			{Field: "subject.subject", Kind: "eq", Values: []string{"exact"}},
		}},
	{`strings.like(subject.subject, "*Invoice*")`,
		[]rule.Predicate{{Field: "subject.subject", Kind: "contains", Values: []string{"Invoice"}, Transforms: []string{"cased"}}}},
	{`strings.icontains(body.current_thread.text, "wire transfer")`,
		[]rule.Predicate{{Field: "body.current_thread.text", Kind: "contains", Values: []string{"wire transfer"}}}},
	{`strings.ends_with(sender.email.domain.domain, ".ru")`,
		[]rule.Predicate{{Field: "sender.email.domain.domain", Kind: "ends_with", Values: []string{".ru"}, Transforms: []string{"cased"}}}},
	{`regex.icontains(body.current_thread.text, '\bwire\b', 'gift ?cards?')`,
		[]rule.Predicate{{Field: "body.current_thread.text", Kind: "regex", Values: []string{`\bwire\b`, "gift ?cards?"}}}},
	{`regex.match(headers.mailer, '^PHP')`,
		[]rule.Predicate{{Field: "headers.mailer", Kind: "regex", Values: []string{"^PHP"}, Transforms: []string{"cased"}}}},
	{`not any(headers.reply_to, .email.email in $recipient_emails)`,
		[]rule.Predicate{{Field: "headers.reply_to[].email.email", Kind: "in", Values: []string{"$recipient_emails"}, Transforms: []string{"expression", "cased"}, Negated: true}}},
	{`any(headers.reply_to, network.whois(.email.domain).days_old < 30)`,
		[]rule.Predicate{{Field: "network.whois(headers.reply_to[].email.domain).days_old", Kind: "lt", Values: []string{"30"}}}},
	{`any(ml.nlu_classifier(body.current_thread.text).intents, .name == "cred_theft" and .confidence in ("medium", "high"))`,
		[]rule.Predicate{
			{Field: "ml.nlu_classifier(body.current_thread.text).intents[].name", Kind: "eq", Values: []string{"cred_theft"}, Transforms: []string{"cased"}},
			{Field: "ml.nlu_classifier(body.current_thread.text).intents[].confidence", Kind: "in", Values: []string{"medium", "high"}, Transforms: []string{"cased"}},
		}},
	{`any(body.links, any(.href_url.query_params_decoded["x"], strings.icontains(..display_text, .)))`,
		[]rule.Predicate{{Field: "body.links[].display_text", Kind: "contains", Values: nil}}},
	{`any($org_display_names, strings.ilike(sender.display_name, .))`,
		[]rule.Predicate{{Field: "sender.display_name", Kind: "match", Values: []string{"$org_display_names"}, Transforms: []string{"expression"}}}},
	// Two fields compared: the other is the value, with field_ref.
	{`any(body.links, .href_url.domain.root_domain != sender.email.domain.root_domain)`,
		[]rule.Predicate{{Field: "body.links[].href_url.domain.root_domain", Kind: "ne", Values: []string{"sender.email.domain.root_domain"}, Transforms: []string{"field_ref"}}}},
	{`not any(recipients.to, .email.email =~ sender.email.email)`,
		[]rule.Predicate{{Field: "recipients.to[].email.email", Kind: "eq", Values: []string{"sender.email.email"}, Transforms: []string{"field_ref"}, Negated: true}}},
	// A list literal of fields: the lambda is read once per field.
	{`any([subject.subject, sender.display_name], strings.ilike(., "*invoice*", "*payment*"))`,
		[]rule.Predicate{
			{Field: "subject.subject", Kind: "contains", Values: []string{"invoice", "payment"}},
			{Field: "sender.display_name", Kind: "contains", Values: []string{"invoice", "payment"}},
		}},
	{`any(attachments, any([.scan.strings.raw, .file_name], regex.icontains(., 'evil')))`,
		[]rule.Predicate{
			{Field: "attachments[].scan.strings.raw", Kind: "regex", Values: []string{"evil"}},
			{Field: "attachments[].file_name", Kind: "regex", Values: []string{"evil"}},
		}},
	{`not all([subject.subject, body.current_thread.text], . == "x")`,
		[]rule.Predicate{
			{Field: "subject.subject", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}, Negated: true},
			{Field: "body.current_thread.text", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}, Negated: true},
		}},
	// A list literal of literals: '.' is each value.
	{`any(["wire transfer", "gift card"], strings.icontains(body.current_thread.text, .))`,
		[]rule.Predicate{{Field: "body.current_thread.text", Kind: "contains", Values: []string{"wire transfer", "gift card"}}}},
	{`all(["*urgent*", "*invoice*"], strings.ilike(subject.subject, .))`,
		[]rule.Predicate{{Field: "subject.subject", Kind: "contains", Values: []string{"urgent", "invoice"}, Transforms: []string{"all"}}}},
	{`0 < length(body.links) < 20`,
		[]rule.Predicate{{Field: "length(body.links)", Kind: "gt", Values: []string{"0"}}, {Field: "length(body.links)", Kind: "lt", Values: []string{"20"}}}},
	{`length(filter(attachments, .file_type == "pdf")) > 2`,
		[]rule.Predicate{
			{Field: "attachments[].file_type", Kind: "eq", Values: []string{"pdf"}, Transforms: []string{"cased"}},
			{Field: "length(filter(attachments))", Kind: "gt", Values: []string{"2"}},
		}},
	{`headers.in_reply_to is null and .x is not null`,
		[]rule.Predicate{{Field: "headers.in_reply_to", Kind: "is_null"}, {Field: ".x", Kind: "is_not_null"}}},
	{`2 of (strings.icontains(subject.subject, "a"), attachments[0].file_type == "pdf", not profile.by_sender().solicited)`,
		[]rule.Predicate{
			{Field: "subject.subject", Kind: "contains", Values: []string{"a"}},
			{Field: "attachments[0].file_type", Kind: "eq", Values: []string{"pdf"}, Transforms: []string{"cased"}},
			{Field: "profile.by_sender().solicited", Kind: "eq", Values: []string{"true"}, Negated: true},
		}},
	{`strings.icontains(strings.replace_confusables(subject.subject), "paypal")`,
		[]rule.Predicate{{Field: "subject.subject", Kind: "contains", Values: []string{"paypal"}}}},
	{`strings.ilevenshtein(sender.display_name, "paypal") <= 2`, nil},
}

func TestPredicates(t *testing.T) {
	for _, tt := range predicateTests {
		d := read(t, "detection-rules/t.yml", ruleText(tt.src))
		if len(d.Analysis.Diagnostics) > 0 {
			t.Errorf("%s: %v", tt.src, d.Analysis.Diagnostics)
		}
		var got []rule.Predicate
		for _, st := range d.Analysis.Stages {
			got = append(got, st.Predicates...)
		}
		// Values of the '.' of a non-list collection are not literals.
		if tt.want != nil && tt.want[0].Values == nil && tt.want[0].Kind == "contains" {
			if len(got) != 0 {
				t.Errorf("%s: got %+v, want none", tt.src, got)
			}
			continue
		}
		if !formattest.EqualPredicates(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.src, got, tt.want)
		}
	}
}

// TestDirectionCountsWithEmailRules checks that a Sublime rule's
// type.inbound counts with the email rules of other languages: under ECS
// email.direction with the value inbound, as Defender's EmailDirection ==
// "Inbound" does, and that the rule reads a message.
func TestDirectionCountsWithEmailRules(t *testing.T) {
	d := read(t, "detection-rules/t.yml", ruleText("type.inbound and length(attachments) > 0"))
	schema.Enrich(d)
	if strings.Join(d.Analysis.Tables, ",") != Table {
		t.Errorf("tables = %v, want [%s]", d.Analysis.Tables, Table)
	}
	k := &rule.Document{Language: rule.LangKusto}
	k.Analysis.AddTable("EmailEvents")
	k.Analysis.AddPredicate(rule.Predicate{Field: "EmailDirection", Kind: rule.KindEq, Values: []string{"Inbound"}, Transforms: []string{rule.TransformCased}})
	schema.Enrich(k)
	key := func(d *rule.Document, field string) string {
		for _, ind := range d.Analysis.Indicators {
			if ind.Field == field && len(ind.Values) > 0 {
				s, _ := schema.CountKey(d.Language, ind, ind.Values[0])
				return s
			}
		}
		return ""
	}
	sk, kk := key(d, DirectionField), key(k, "EmailDirection")
	if sk != "email.direction|eq|inbound" || sk != kk {
		t.Errorf("count keys: sublime %q, kusto %q, want both email.direction|eq|inbound", sk, kk)
	}
}

func TestStagesAndExclusions(t *testing.T) {
	d := read(t, "detection-rules/t.yml", ruleText("type.inbound\n// comment\nand (a.b == \"x\" and c)\nand not strings.icontains(subject.subject, \"newsletter\")"))
	var kinds, texts []string
	for _, st := range d.Analysis.Stages {
		kinds = append(kinds, st.Kind)
		texts = append(texts, st.Text)
	}
	if got := strings.Join(texts, " | "); got != `type.inbound | a.b == "x" | c | not strings.icontains(subject.subject, "newsletter")` {
		t.Errorf("stages: %s", got)
	}
	if len(d.Analysis.Exclusions) != 1 || d.Analysis.Exclusions[0].Field != "subject.subject" || d.Analysis.Exclusions[0].Kind != "contains" {
		t.Errorf("exclusions: %+v", d.Analysis.Exclusions)
	}
	if d.Analysis.Stages[3].Line != 4 {
		t.Errorf("stage line = %d, want 4", d.Analysis.Stages[3].Line)
	}
}

func TestDiagnostics(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{ruleText("type.inbound and (a ==\n"), "rules:7:"},
		{"name: x\ntype: rule\nsource: |\n  a = b\n", "4:5: '=' is not an MQL operator (use == to compare) [MQL1001]"},
		// The '(' a missing ')' should close is a line:col of the file.
		{"name: x\ntype: rule\nsource: |\n  type.inbound\n  and any(headers.hops,\n    .index == 0\n", "7:3: expected ')', found end of source, to close the '(' at 5:10 [MQL1001]"},
		{"name: x\ntype: rule\nsource: \"\"\n", "1:1: the rule has no MQL source [MQL2001]"},
		{"name: x\ntype: rule\nsource: [\n", "invalid YAML"},
		{"name: x\ntype: rule\nsource: |\n  false\n", "4:3: warning: the rule's source is false: it never matches [MQL2003]"},
		{"name: x\ntype: rule\ntags:\n  a: b\nsource: |\n  type.inbound\n", "3:1: warning: tags: expected a list of strings; the field is ignored [READ0010]"},
	} {
		d := read(t, "t.yml", tt.text)
		var all []string
		for _, g := range d.Analysis.Diagnostics {
			all = append(all, g.String())
		}
		if !strings.Contains(strings.Join(all, "\n"), strings.TrimPrefix(tt.want, "rules:")) {
			t.Errorf("%q: diagnostics %q, want %q", tt.text, all, tt.want)
		}
	}
}

func TestMetadata(t *testing.T) {
	text := `name: "Brand impersonation"
description: "d"
type: "rule"
severity: "high"
authors:
  - twitter: "vector_sec"
  - name: "Jane Doe"
  - linkedin: "linkedin.com/in/someone"
references:
  - "https://example.com/a"
false_positives:
  - "Newsletters"
source: |
  type.inbound
tags:
  - "Attack surface reduction"
  - "T1204.002"
attack_types:
  - "Credential Phishing"
tactics_and_techniques:
  - "Evasion"
  - "T1566.002"
  - "Phishing: Spearphishing Attachment"
detection_methods:
  - "Header analysis"
id: "3bc152f2"
`
	d := read(t, "discovery-rules/brand.yml", text)
	if d.Kind != "discovery" || d.Author != "@vector_sec, Jane Doe, linkedin.com/in/someone" || d.Severity != "high" {
		t.Errorf("kind %q author %q severity %q", d.Kind, d.Author, d.Severity)
	}
	if got := strings.Join(d.Tags, ","); got != "Attack surface reduction,T1204.002,Credential Phishing,Evasion" {
		t.Errorf("tags %s", got)
	}
	var ids []string
	for _, a := range d.Attack {
		ids = append(ids, a.TechniqueID)
	}
	if !slices.Contains(ids, "T1566.002") || !slices.Contains(ids, "T1566.001") || !slices.Contains(ids, "T1204.002") {
		t.Errorf("attack %+v", d.Attack)
	}
	if d.Extra["id"] != "3bc152f2" || len(d.FalsePositives) != 1 || len(d.References) != 1 {
		t.Errorf("extra %v fp %v refs %v", d.Extra, d.FalsePositives, d.References)
	}
}

// goldenRules are representative rules of the corpus: an any() lambda with
// whois and a not, the NLU classifier, regular expressions, strings.ilike,
// in~, N of, '..' and length(filter()), the sender profile, beta functions,
// logo detection, ends_with, all(), =~, a disabled rule and a discovery rule.
var goldenRules = []string{
	"detection-rules/abuse_docsend_new_domain.yml",
	"detection-rules/service_abuse_elastic_extortion.yml",
	"detection-rules/spam_smtp_proxy.yml",
	"detection-rules/open_redirect_atdmt.yml",
	"detection-rules/headers_php_mailer_with_common_phishing_attachments.yml",
	"detection-rules/suspicious_shipping_notification.yml",
	"detection-rules/attachment_pdf_password_in_filename_bodytext.yml",
	"detection-rules/sender_new_from_domain_first_time_sender.yml",
	"detection-rules/fuzzy_graymail_rule.yml",
	"detection-rules/impersonation_gusto.yml",
	"detection-rules/service_abuse_roomsy.yml",
	"detection-rules/spoof_dropbox.yml",
	"detection-rules/link_landing_page_search-ms.yml",
	"detection-rules/attachment_tar_with_rar_type.yml",
	"detection-rules/shopify_infra_abuse.yml",
	"discovery-rules/apple_state-sponsored_attack_warning.yml",
}

// readCorpusFile reads one corpus file as formats.Read does, the shared
// schema pass included.
func readCorpusFile(t testing.TB, root, rel string, env *formats.Env) *rule.Document {
	t.Helper()
	docs := formats.ReadFile(New(), formattest.LoadFile(t, root, rel), env)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents", rel, len(docs))
	}
	return docs[0]
}

func TestGolden(t *testing.T) {
	root := sharedtest.Corpus(t, "sublime-rules")
	env := &formats.Env{Attack: attack.Default()}
	for _, rel := range goldenRules {
		d := readCorpusFile(t, root, rel, env)
		schema.Enrich(d)
		d.Body, d.Query = "", ""
		golden.CheckJSON(t, filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(rel), ".yml")+".json"), d, *update)
	}
}

func BenchmarkReadCorpus(b *testing.B) {
	formattest.BenchmarkReadCorpus(b, "sublime-rules", New())
}

func BenchmarkParseMQL(b *testing.B) {
	root := sharedtest.Corpus(b, "sublime-rules")
	files, _ := formats.List([]string{root})
	var srcs []string
	var size int64
	for _, f := range files {
		data, _ := os.ReadFile(f.Abs)
		d := read(b, f.Path, string(data))
		if d.Query != "" {
			srcs = append(srcs, d.Query)
			size += int64(len(d.Query))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	start := cputime.Now()
	for b.Loop() {
		for _, s := range srcs {
			mql.Parse(s)
		}
	}
	b.ReportMetric(float64(cputime.Now()-start)/float64(b.N), "cpu-ns/op")
}

// TestNestedFieldListsStayLinear reads lambdas over list literals of
// fields nested 40 deep: only the outer list is read per field, so the
// work does not double at each level.
func TestNestedFieldListsStayLinear(t *testing.T) {
	src := "true"
	for range 40 {
		src = "any([subject.subject, sender.display_name], strings.icontains(., \"x\") and " + src + ")"
	}
	d := read(t, "detection-rules/t.yml", ruleText(src))
	n := 0
	for _, st := range d.Analysis.Stages {
		n += len(st.Predicates)
	}
	if n == 0 || n > 200 {
		t.Errorf("%d predicates", n)
	}
}
