// Package kustorule holds what the readers of the Kusto rule family share
// (Microsoft Sentinel YAML, FalconFriday markdown, Defender hunting-query
// markdown and text, generic markdown with KQL blocks, plain .kql files):
// decoding untrusted file text into something a reader can index, a small
// markdown block scanner that keeps line numbers, the `//` comment headers of
// plain KQL text and the splitting of files that hold several queries, the
// mapping of ATT&CK references, and parsing each query with the KQL front end
// so its syntax errors point at file positions.
//
// Diagnostic codes of the Kusto readers are listed in codes.go and described
// in docs/formats-kusto.md.
package kustorule
