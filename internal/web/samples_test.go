package web_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/web"
)

// readsOnly returns the first document that reads exactly the event
// provider/event itself.
func readsOnly(t *testing.T, docs []*rule.Document, provider, event string) *rule.Document {
	t.Helper()
	for _, d := range docs {
		var direct []rule.Event
		for _, e := range d.Analysis.Events {
			if e.Via != rule.ViaEquivalent {
				direct = append(direct, e)
			}
		}
		if len(direct) == 1 && direct[0].Provider == provider && direct[0].Event == event {
			return d
		}
	}
	t.Fatalf("no fixture rule reads only %s/%s", provider, event)
	return nil
}

func sample(dataset string, fields ...string) rule.RunSample {
	s := rule.RunSample{Dataset: dataset}
	for i := 0; i+1 < len(fields); i += 2 {
		s.Fields = append(s.Fields, rule.SampleField{Name: fields[i], Value: fields[i+1]})
	}
	return s
}

// TestEventSamples: event and provider pages show the events of data sets
// that rules reading them matched, and the sample events rules ship with,
// escaped; a sample of a rule that reads another event shows only where
// its event id says it belongs.
func TestEventSamples(t *testing.T) {
	docs := catalogtest.Documents()
	sysmon := readsOnly(t, docs, "Sysmon", "1")
	sysmon.Runs = &rule.Runs{Of: 1, Datasets: []rule.DatasetHits{{Dataset: "proc.jsonl", Hits: 1}},
		Samples: []rule.RunSample{sample("proc.jsonl", "EventID", "1", "Channel", "Microsoft-Windows-Sysmon/Operational", "CommandLine", catalogtest.ScriptTag)}}
	security := readsOnly(t, docs, "Security", "4688")
	security.Runs = &rule.Runs{Of: 1, Datasets: []rule.DatasetHits{{Dataset: "mixed.jsonl", Hits: 2}},
		Samples: []rule.RunSample{
			sample("mixed.jsonl", "EventID", "4688", "Channel", "Security", "NewProcessName", "only-on-4688.exe"),
			sample("mixed.jsonl", "EventID", "1", "Channel", "Microsoft-Windows-Sysmon/Operational", "Image", "also-on-sysmon-1.exe"),
		}}
	var hostile *rule.Document
	for _, d := range docs {
		if d.ID == catalogtest.Hostile {
			hostile = d
		}
	}
	hostile.Tests = []rule.Test{{Name: catalogtest.ScriptTag, Expect: "match", Event: `{"x": "` + catalogtest.ImgTag + `"}`}}
	hostile.Runs = &rule.Runs{Of: 1, Samples: []rule.RunSample{sample(catalogtest.ScriptTag, catalogtest.ScriptTag, catalogtest.ImgTag)}}
	c := catalog.New(docs, catalog.Info{Detwiki: "test"}, nil)
	srv := httptest.NewServer(web.New(c, web.Options{}))
	t.Cleanup(srv.Close)

	_, _, page := get(t, srv, "/events/Sysmon/1")
	for _, want := range []string{`id="samples"`, "proc.jsonl", "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;", sysmon.Title, "also-on-sysmon-1.exe"} {
		if !strings.Contains(page, want) {
			t.Errorf("Sysmon/1 page lacks %s", want)
		}
	}
	if strings.Contains(page, "only-on-4688.exe") {
		t.Error("Sysmon/1 page shows an event 4688")
	}
	_, _, page = get(t, srv, "/events/Security/4688")
	if !strings.Contains(page, "only-on-4688.exe") || strings.Contains(page, "also-on-sysmon-1.exe") {
		t.Error("Security/4688 page: the samples of its rule are not sorted by event id")
	}
	_, _, page = get(t, srv, "/events/Sysmon")
	if !strings.Contains(page, `id="samples"`) || !strings.Contains(page, "proc.jsonl") {
		t.Error("Sysmon provider page without sample events")
	}
	e, ok := c.EventOf(catalogtest.ScriptTag, catalogtest.ImgTag)
	if !ok {
		t.Fatal("no hostile event")
	}
	_, _, page = get(t, srv, "/events/"+e.Slug)
	if !strings.Contains(page, "sample event of") || !strings.Contains(page, "&lt;img") {
		t.Errorf("hostile event page lacks its samples")
	}
	for _, p := range []string{"/events/Sysmon/1", "/events/Sysmon", "/events/" + e.Slug, "/events/" + url.PathEscape(e.Provider)} {
		_, _, page := get(t, srv, p)
		if bad := htmlcheck.Injected(page, "/static/detwiki.js"); len(bad) > 0 {
			t.Errorf("%s: %v", p, bad)
		}
	}
	_, _, body := get(t, srv, "/api/events/Sysmon/1")
	if !strings.Contains(body, `"samples":[{`) || !strings.Contains(body, `"dataset":"proc.jsonl"`) {
		t.Errorf("/api/events/Sysmon/1 without its samples: %.300s", body)
	}
	if n := len(c.EventSamples(e, 1)); n != 1 {
		t.Errorf("EventSamples(max 1) = %d samples", n)
	}
}
