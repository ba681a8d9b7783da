package htmlcheck

import (
	"strings"
	"testing"
)

func TestInjected(t *testing.T) {
	clean := `<!doctype html><html><head><script src="/static/detwiki.js" defer></script><style>a<b{}</style></head>
<body><h1 class="t">Hello &lt;script&gt; <code>x</code></h1><a href="/rules/x" title='a > b'>x</a><!-- <img> --></body></html>`
	if p := Injected(clean, "/static/detwiki.js"); len(p) != 0 {
		t.Errorf("clean page: %v", p)
	}
	if got := Text(clean, "h1"); got != "Hello <script> x" {
		t.Errorf("Text = %q", got)
	}
	for _, bad := range []string{
		`<p><script>alert(1)</script></p>`,
		`<p>"><img src=x onerror=alert(1)></p>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" JavaScript:alert(1)">x</a>`,
		`<div onclick=alert(1)>x</div>`,
		`<svg onload=alert(1)>`,
		`<script src="https://evil.example/x.js"></script>`,
	} {
		if p := Injected(bad, "/static/detwiki.js"); len(p) == 0 {
			t.Errorf("not caught: %s", bad)
		}
	}
	els := Elements(`<a href="x" data-x=1 disabled><b>`)
	if len(els) != 2 || els[0].Attrs["href"] != "x" || els[0].Attrs["data-x"] != "1" || !strings.Contains(els[1].Name, "b") {
		t.Errorf("Elements = %+v", els)
	}
}
