// Package ruletest runs detection rules on events: each rule on the
// sample events that come with it (SigmaHQ regression data: a positive test,
// which must fire), and every rule that can run on every event data set
// given (a matrix of hit counts per rule and data set).
//
// Sigma rules run through package sigmaeval (detection rules, correlation
// rules and Sigma 1 aggregations); events are read by package events, each
// file under an --events path being one data set (an OTRF zip, a JSON lines
// file, an EVTX-JSON export).
//
// A Set is built from rule documents as package formats reads them (Load
// reads rule folders itself); Set.Run evaluates it and returns a Report:
// one Result per (rule, data set) with the hits, what was expected, whether
// that holds, diagnostics and a few sample matching events. Report.ByRule
// summarises the results per rule document id, for the catalog's rule pages.
// Reports print as text, JSON (one object per result) and JUnit XML.
//
// Nothing here imports the catalog or the web packages: they import this.
package ruletest
