// Package spl is a hand-written front end for Splunk's Search Processing
// Language (SPL) as security_content detections write it: a lexer, a
// recursive-descent parser with byte-offset positions on every node, a printer
// and search-macro expansion.
//
// SPL is lexed differently by each part of a search, so the scanner has modes
// that the parser picks as it goes:
//
//   - search mode for the implicit search, the search command and the where
//     clause of tstats and inputlookup: bare terms, field=value comparisons,
//     IN lists, NOT / OR / AND (OR binds tighter than AND), wildcards;
//   - value mode for the value after a comparison operator, where '=' , '<'
//     and '>' are ordinary characters;
//   - eval mode for eval, where and the eval(...) arguments of stats
//     functions: identifiers, numbers, strings, 'quoted field names' and the
//     operators of the eval expression language (AND binds tighter than OR);
//   - argument mode for every other command: words, key=value options,
//     parenthesised groups and subsearches.
//
// Triple-backtick comments (```...```) are skipped in every mode. Macro calls
// (`name(args)`) are expanded before parsing by Expand; a macro that could
// not be expanded stays in the text and parses as an opaque term or command.
//
// ParseQuery never panics: it returns a partial tree and every error, each with
// its byte range. Nesting is bounded by MaxDepth.
package spl
