// detwiki: small progressive enhancements of the server-rendered pages, and,
// in the static site (body[data-static]), the rule list, search and ATT&CK
// matrix filters computed in the browser from search-index.js and
// attack/matrix-data.js. Rule text is only ever inserted as text.
(function () {
  "use strict";
  var body = document.body;
  var isStatic = body.hasAttribute("data-static");
  var base = body.hasAttribute("data-base") ? body.getAttribute("data-base") : "/";
  var ext = body.getAttribute("data-ext") || "";

  // "/" focuses the search box.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var q = document.getElementById("q");
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });

  // Filter selects apply at once.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosubmit]"), function (form) {
    form.addEventListener("change", function (e) {
      if (e.target.tagName === "SELECT" || e.target.type === "checkbox") {
        if (isStatic) { staticSubmit(form); } else { form.submit(); }
      }
    });
    if (isStatic) {
      form.addEventListener("submit", function (e) { e.preventDefault(); staticSubmit(form); });
    }
  });

  if (!isStatic) return;

  // ---- Static site ----

  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] != null) n.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function page(path) { return base + path + ext; }
  function loadScript(src, done) {
    var s = document.createElement("script");
    s.src = base + src;
    s.onload = function () { done(); };
    s.onerror = function () { done(new Error("cannot load " + src)); };
    document.head.appendChild(s);
  }
  function params() { return new URLSearchParams(location.search); }

  function staticSubmit(form) {
    var p = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name || f.disabled) return;
      if ((f.type === "checkbox" || f.type === "radio") && !f.checked) return;
      if (f.value !== "") p.append(f.name, f.value);
    });
    var url = location.pathname + (p.toString() ? "?" + p.toString() : "");
    history.pushState(null, "", url);
    route();
  }
  window.addEventListener("popstate", function () { route(); });

  // Data files are scripts (pages opened from file:// cannot fetch files)
  // that hold gzip-compressed JSON in base64 under window.DETWIKI_DATA;
  // the browser decompresses it (DecompressionStream).
  var loaded = {};
  function loadData(name, src, done) {
    if (loaded[name] !== undefined) return done(loaded[name]);
    loadScript(src, function (err) {
      var b64 = !err && window.DETWIKI_DATA && window.DETWIKI_DATA[name];
      if (!b64 || typeof DecompressionStream === "undefined") { loaded[name] = null; return done(null); }
      var bin = atob(b64), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      delete window.DETWIKI_DATA[name];
      new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function (text) {
        loaded[name] = JSON.parse(text);
        done(loaded[name]);
      }, function () { loaded[name] = null; done(null); });
    });
  }

  // The search index in three parts: every rule (always), the rules'
  // metadata and query text (for words), the indicators (for field:,
  // kind: and value: terms).
  var index = null, texts = null, indicators = null;
  function withIndex(needText, needIndicators, done) {
    loadData("search-index", "search-index.js", function (ix) {
      index = ix;
      if (!ix) return done();
      var next = function () {
        if (!needIndicators) return done();
        loadData("search-indicators", "search-indicators.js", function (d) { indicators = d || { fields: [], spellings: [], ind: [] }; done(); });
      };
      if (!needText) return next();
      loadData("search-text", "search-text.js", function (t) { texts = t || []; next(); });
    });
  }

  // Query parsing: the server's syntax (words, "phrases", key:value, -negation).
  var KEYS = { field: "field", f: "field", kind: "kind", op: "kind", value: "value", v: "value", val: "value",
    lang: "lang", language: "lang", technique: "technique", t: "technique", attack: "technique", tactic: "tactic",
    table: "table", ds: "table", datasource: "table", data_source: "table", event: "event", source: "source",
    repo: "source", severity: "severity", level: "severity", status: "status", platform: "platform", os: "platform",
    format: "format", tested: "tested", author: "author", tag: "tag", id: "id", is: "is" };
  function parseQuery(s) {
    var q = { words: [], notWords: [], terms: [] }, i = 0;
    while (i < s.length) {
      while (i < s.length && /\s/.test(s[i])) i++;
      if (i >= s.length) break;
      var neg = false;
      if (s[i] === "-" && i + 1 < s.length && !/\s/.test(s[i + 1])) { neg = true; i++; }
      if (s[i] === '"') {
        var end = s.indexOf('"', i + 1); if (end < 0) end = s.length;
        if (s.slice(i + 1, end).trim()) (neg ? q.notWords : q.words).push(s.slice(i + 1, end).trim().toLowerCase());
        i = end + 1; continue;
      }
      var start = i;
      while (i < s.length && !/\s/.test(s[i]) && s[i] !== ":" && s[i] !== '"') i++;
      if (s[i] === ":" && KEYS[s.slice(start, i).toLowerCase()]) {
        var key = KEYS[s.slice(start, i).toLowerCase()], val;
        i++;
        if (s[i] === '"') { var e2 = s.indexOf('"', i + 1); if (e2 < 0) e2 = s.length; val = s.slice(i + 1, e2); i = e2 + 1; }
        else { var vs = i; while (i < s.length && !/\s/.test(s[i])) i++; val = s.slice(vs, i); }
        if (val.trim()) q.terms.push({ key: key, value: val.trim().toLowerCase(), neg: neg });
        continue;
      }
      while (i < s.length && !/\s/.test(s[i])) i++;
      (neg ? q.notWords : q.words).push(s.slice(start, i).toLowerCase());
    }
    return q;
  }

  // Words match as the server's index does: a rule's text holds each
  // letter-and-digit run of the word as a whole token (the last one, from
  // three characters on, may start a longer token: lsa finds lsass), and
  // the word as written when it has punctuation.
  var TOKEN = /[\p{L}\p{N}]+/gu, TOKEN_CHAR = /[\p{L}\p{N}]/u;
  function hasToken(text, tok, prefix) {
    for (var at = text.indexOf(tok); at >= 0; at = text.indexOf(tok, at + 1)) {
      if (at > 0 && TOKEN_CHAR.test(text.charAt(at - 1))) continue;
      var end = at + tok.length;
      if (!prefix && end < text.length && TOKEN_CHAR.test(text.charAt(end))) continue;
      return true;
    }
    return false;
  }
  function matchWord(text, w) {
    var toks = w.match(TOKEN);
    if (!toks) return text.indexOf(w) >= 0;
    for (var i = 0; i < toks.length; i++) {
      if (!hasToken(text, toks[i], i === toks.length - 1 && toks[i].length >= 3)) return false;
    }
    return (toks.length === 1 && toks[0] === w) || text.indexOf(w) >= 0;
  }

  var SEV = { informational: 1, info: 1, low: 2, medium: 3, high: 4, critical: 5 };
  function ruleValues(r, key) {
    var ix = index;
    switch (key) {
      case "lang": return [ix.langs[r.l]];
      case "source": return [ix.sources[r.s].toLowerCase()];
      case "severity": return [r.sev || ""];
      case "status": return [r.st || ""];
      case "format": return [r.fmt || ""];
      case "tested": return [r.ts || ""];
      case "platform": return r.p || [];
      case "tactic": return (r.ta || []).concat(r.tan || []);
      case "table": return r.tb || [];
      case "event": return r.ev || [];
      case "tag": return r.tg || [];
      case "author": return [r.a || ""];
      case "id": return [r.i.toLowerCase()];
    }
    return [];
  }
  function matchTerm(r, ri, t, indHits) {
    var v = t.value;
    switch (t.key) {
      case "technique":
        return (r.te || []).some(function (x) { x = x.toLowerCase(); return x === v || x.indexOf(v + ".") === 0; });
      case "is":
        return (v === "feed" && r.f) || (v === "deprecated" && r.dep) || (v === "error" && r.err) || (v === "tested" && !!r.ts);
      case "id":
        return r.i.toLowerCase().indexOf(v) === 0;
      case "author":
        return ruleValues(r, t.key).some(function (x) { return x.indexOf(v) >= 0; });
      case "field": case "kind": case "value":
        return indHits ? indHits.has(ri) : false;
    }
    return ruleValues(r, t.key).some(function (x) { return x.toLowerCase() === v; });
  }
  // indicatorRules returns the rules with an indicator matching all of
  // terms (field/kind/value on one indicator).
  function indicatorRules(terms) {
    var set = new Set(), fieldQ, kindQ, valueQ, exact = false;
    terms.forEach(function (t) {
      if (t.key === "field") fieldQ = t.value;
      if (t.key === "kind") kindQ = t.value === "in" ? "eq" : t.value;
      if (t.key === "value") { valueQ = t.value; if (valueQ[0] === "=") { exact = true; valueQ = valueQ.slice(1); } }
    });
    indicators.ind.forEach(function (s) {
      // s: [fieldIdx, kind, value, spellingIdxs, ruleIdxs]
      if (kindQ && s[1] !== kindQ) return;
      if (valueQ != null && (exact ? s[2] !== valueQ : s[2].indexOf(valueQ) < 0)) return;
      if (fieldQ) {
        var ok = indicators.fields[s[0]].toLowerCase() === fieldQ;
        if (!ok) ok = s[3].some(function (k) { return indicators.spellings[k].toLowerCase() === fieldQ; });
        if (!ok) return;
      }
      s[4].forEach(function (r) { set.add(r); });
    });
    return set;
  }

  function run(p) {
    var q = parseQuery(p.get("q") || "");
    var filters = {};
    ["lang", "source", "platform", "tactic", "technique", "severity", "status", "table", "event", "format", "tested"].forEach(function (k) {
      var vals = []; p.getAll(k).forEach(function (v) { v.split(",").forEach(function (x) { if (x.trim()) vals.push(x.trim().toLowerCase()); }); });
      if (vals.length) filters[k] = vals;
    });
    var empty = !q.words.length && !q.notWords.length && !q.terms.length;
    var feeds = p.get("feeds") === "1";
    var indTerms = q.terms.filter(function (t) { return !t.neg && (t.key === "field" || t.key === "kind" || t.key === "value"); });
    var indHits = indTerms.length ? indicatorRules(indTerms) : null;
    var hits = [];
    index.rules.forEach(function (r, ri) {
      if (empty && !feeds && r.f) return;
      var text = null;
      for (var w = 0; w < q.words.length + q.notWords.length; w++) {
        if (text === null) text = (r.tl + "\n" + (r.d || "").toLowerCase() + "\n" + (texts && texts[ri] || ""));
        var not = w >= q.words.length;
        if (matchWord(text, not ? q.notWords[w - q.words.length] : q.words[w]) === not) return;
      }
      for (var t = 0; t < q.terms.length; t++) {
        var term = q.terms[t];
        if (term.neg && (term.key === "field" || term.key === "kind" || term.key === "value")) {
          if (indicatorRules([term]).has(ri)) return;
          continue;
        }
        var m = matchTerm(r, ri, term, indHits);
        if (term.neg ? m : !m) return;
      }
      for (var k in filters) {
        var any = filters[k].some(function (v) { return matchTerm(r, ri, { key: k, value: v }, null); });
        if (!any) return;
      }
      var score = 0;
      q.words.forEach(function (w) { score += r.tl.indexOf(w) >= 0 ? 10 : ((r.d || "").toLowerCase().indexOf(w) >= 0 ? 3 : 1); });
      hits.push({ r: r, score: score });
    });
    var sort = p.get("sort") || (q.words.length ? "relevance" : "title");
    var desc = p.get("order") === "desc";
    var cmp = {
      relevance: function (a, b) { return b.score - a.score; },
      language: function (a, b) { return a.r.l - b.r.l; },
      source: function (a, b) { return index.sources[a.r.s] < index.sources[b.r.s] ? -1 : index.sources[a.r.s] > index.sources[b.r.s] ? 1 : 0; },
      severity: function (a, b) { return (SEV[b.r.sev] || 0) - (SEV[a.r.sev] || 0); },
      status: function (a, b) { return (a.r.st || "") < (b.r.st || "") ? -1 : (a.r.st || "") > (b.r.st || "") ? 1 : 0; },
      modified: function (a, b) { return (b.r.m || "") < (a.r.m || "") ? -1 : (b.r.m || "") > (a.r.m || "") ? 1 : 0; },
      id: function (a, b) { return a.r.i < b.r.i ? -1 : a.r.i > b.r.i ? 1 : 0; }
    }[sort] || function () { return 0; };
    hits.sort(function (a, b) {
      var c = cmp(a, b) || (a.r.tl < b.r.tl ? -1 : a.r.tl > b.r.tl ? 1 : 0);
      return desc ? -c : c;
    });
    return { hits: hits, sort: sort };
  }

  function renderResults(p, res) {
    var box = document.getElementById("results");
    if (!box) return;
    var per = Math.min(parseInt(p.get("per_page") || "50", 10) || 50, 500);
    var pages = Math.max(1, Math.ceil(res.hits.length / per));
    var cur = Math.min(Math.max(1, parseInt(p.get("page") || "1", 10) || 1), pages);
    while (box.firstChild) box.removeChild(box.firstChild);
    // Marks the results as the browser's (the page comes with the first
    // page of all rules, for browsers without JavaScript).
    box.setAttribute("data-rendered", "");
    box.appendChild(el("p", { "class": "count" }, [el("strong", null, [String(res.hits.length)]),
      " rule" + (res.hits.length === 1 ? "" : "s") + (pages > 1 ? " · page " + cur + " of " + pages : "")]));
    if (!res.hits.length) { box.appendChild(el("p", { "class": "muted" }, ["No rule matches."])); return; }
    var tbody = el("tbody");
    res.hits.slice((cur - 1) * per, cur * per).forEach(function (h) {
      var r = h.r;
      var title = el("td", { "class": "title-cell" }, [el("a", { "class": "rule-link", href: page("rules/" + r.i) }, [r.t])]);
      if (r.f) title.appendChild(el("span", { "class": "badge feed" }, ["feed"]));
      var techs = el("td", { "class": "techs" });
      (r.te || []).slice(0, 4).forEach(function (t) { techs.appendChild(el("a", { href: page("attack/" + t) }, [t])); techs.appendChild(document.createTextNode(" ")); });
      var reads = el("td", { "class": "reads" });
      (r.tb || []).slice(0, 3).forEach(function (t) { reads.appendChild(el("code", null, [t])); reads.appendChild(document.createTextNode(" ")); });
      tbody.appendChild(el("tr", { "class": "hit" }, [title,
        el("td", null, [el("span", { "class": "lang lang-" + index.langs[r.l] }, [index.langNames[r.l]])]),
        el("td", null, [index.sources[r.s]]),
        el("td", null, r.sev ? [el("span", { "class": "sev sev-" + r.sev }, [r.sev])] : []),
        techs, reads]));
    });
    var head = el("tr", null, ["Title", "Language", "Source", "Severity", "ATT&CK", "Reads"].map(function (h) { return el("th", null, [h]); }));
    box.appendChild(el("div", { "class": "table-wrap" }, [el("table", { "class": "results" }, [el("thead", null, [head]), tbody])]));
    if (pages > 1) {
      var nav = el("nav", { "class": "pager", "aria-label": "pages" });
      var link = function (n, label) {
        var q = new URLSearchParams(location.search);
        if (n <= 1) q.delete("page"); else q.set("page", String(n));
        var a = el("a", { href: location.pathname + (q.toString() ? "?" + q : "") }, [label]);
        a.addEventListener("click", function (e) { e.preventDefault(); history.pushState(null, "", a.getAttribute("href")); route(); });
        return a;
      };
      if (cur > 1) nav.appendChild(link(cur - 1, "← previous"));
      for (var n = 1; n <= pages; n++) {
        if (n === 1 || n === pages || Math.abs(n - cur) <= 2) nav.appendChild(n === cur ? el("strong", { "aria-current": "page" }, [String(n)]) : link(n, String(n)));
      }
      if (cur < pages) nav.appendChild(link(cur + 1, "next →"));
      box.appendChild(nav);
    }
  }

  function showDataError() {
    var box = document.getElementById("results");
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(el("p", { "class": "error", role: "alert" }, ["The search data of this static site could not be loaded (it needs a browser with DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later)."]));
  }

  function syncForm(p) {
    var form = document.getElementById("filters");
    if (!form) return;
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name) return;
      if (f.type === "checkbox") f.checked = p.get(f.name) === f.value;
      else if (f.tagName === "SELECT" || f.tagName === "INPUT") f.value = p.get(f.name) || "";
    });
    var q = document.getElementById("q");
    if (q && p.get("q")) q.value = p.get("q");
  }

  // Matrix filters.
  var matrix = null;
  function renderMatrix(p) {
    var lang = p.get("lang") || "", src = p.get("source") || "";
    var rules = matrix.rules, counts = {}, max = 0, total = {};
    Object.keys(matrix.cells).forEach(function (cell) {
      var n = 0;
      matrix.cells[cell].forEach(function (ri) {
        var r = rules[ri];
        if ((lang === "" || matrix.langs[r[0]] === lang) && (src === "" || matrix.sources[r[1]] === src)) n++;
      });
      counts[cell] = n;
      if (cell.indexOf(".") < 0 && n > max) max = n;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-cell]"), function (li) {
      var n = counts[li.getAttribute("data-cell")] || 0;
      li.setAttribute("data-count", String(n));
      li.className = "cell " + heat(n, max);
      var c = li.querySelector(".tcount");
      if (c) c.textContent = String(n);
    });
    Object.keys(matrix.tactics).forEach(function (t) {
      var n = 0;
      matrix.tactics[t].forEach(function (ri) {
        var r = rules[ri];
        if ((lang === "" || matrix.langs[r[0]] === lang) && (src === "" || matrix.sources[r[1]] === src)) n++;
      });
      var span = document.querySelector('[data-tactic-count="' + t + '"]');
      if (span) span.textContent = String(n);
    });
    var dl = document.getElementById("layer-download");
    if (dl) {
      var name = (matrix.layers && matrix.layers[lang + "|" + src]) ||
        "layer" + (lang ? "-lang-" + matrix.keys[lang] : "") + (src ? "-source-" + matrix.keys[src] : "") + ".json";
      dl.setAttribute("href", base + "attack/" + name);
    }
    var form = document.getElementById("matrix-filters");
    if (form) { form.elements.lang.value = lang; form.elements.source.value = src; }
  }
  function heat(n, max) {
    if (n <= 0 || max <= 0) return "h0";
    var r = n / max, steps = [0.02, 0.08, 0.2, 0.45];
    for (var i = 0; i < steps.length; i++) if (r <= steps[i]) return "h" + (i + 1);
    return "h5";
  }

  function route() {
    var p = params();
    if (document.getElementById("matrix")) {
      if (!location.search && !matrix) return; // the page already shows every rule
      var go = function () { renderMatrix(p); };
      if (matrix) return go();
      loadData("matrix-data", "attack/matrix-data.js", function (m) { matrix = m; if (matrix) go(); });
      return;
    }
    if (!document.getElementById("results")) return;
    if (!location.search) return; // the page already shows the first page of everything
    syncForm(p);
    var q = parseQuery(p.get("q") || "");
    var needIndicators = q.terms.some(function (t) { return t.key === "field" || t.key === "kind" || t.key === "value"; });
    withIndex(q.words.length > 0 || q.notWords.length > 0, needIndicators, function () {
      if (index) renderResults(p, run(p));
      else showDataError();
    });
  }
  route();
})();
