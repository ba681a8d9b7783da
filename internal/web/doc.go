// Package web serves a detwiki catalog as a wiki (server-rendered HTML from
// html/template, a small hand-written stylesheet and script embedded in the
// binary, no build toolchain) and a JSON API, and exports the same pages as
// a static site that works from any static host and from file://.
//
// Pages: home, rule list with filters, search, the rule page (package
// rulepage), the ATT&CK matrix with a page per technique and Navigator
// layer export, providers and events, fields, indicators, detection
// patterns and coverage per language. docs/api.md describes the API.
//
// Requests are read-only: only GET and HEAD, paths with "..", encoded
// slashes or NUL bytes are refused, and so are oversized paths, query
// strings and search queries. Every page escapes rule text.
package web
