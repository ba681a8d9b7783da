package kusto

import (
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// alertTableWords mark a custom-log (_CL) table as holding another
// product's alerts rather than telemetry.
var alertTableWords = []string{"alert", "incident", "detection", "threat", "notification", "offense", "alarm", "finding"}

// isAlertTable reports whether a table holds alerts raised by another
// product: Sentinel's SecurityAlert and SecurityIncident, Defender XDR's
// AlertInfo and AlertEvidence, AWS GuardDuty findings, and custom-log
// tables named for alerts
// (darktrace_model_alerts_CL, CarbonBlackNotifications_CL,
// RedCanaryDetections_CL, CognniIncidents_CL, ...).
func isAlertTable(t string) bool {
	l := strings.ToLower(t)
	switch l {
	case "securityalert", "securityincident", "alertinfo", "alertevidence", "awsguardduty":
		return true
	}
	if !strings.HasSuffix(l, "_cl") {
		return false
	}
	for _, w := range alertTableWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// isLookupSource reports sources that are reference data, not events
// (watchlists); they do not make a rule more than a feed.
func isLookupSource(t string) bool {
	return strings.EqualFold(t, "_GetWatchlist")
}

// isAlertKey reports the columns that identify an alert: a join on them
// fetches the same alert's details, it does not correlate alerts.
func isAlertKey(f string) bool {
	switch strings.ToLower(f) {
	case "alertid", "systemalertid", "incidentid", "providerincidentid", "incidentnumber":
		return true
	}
	return false
}

// isThirdPartyFeed decides third_party_feed: the rule only passes another
// product's alerts on. That is:
//
//  1. it reads at least one table, and every table it reads (watchlists
//     aside) is an alert table (isAlertTable);
//  2. it does not correlate: every join or lookup is on alert identifiers
//     only (AlertId, SystemAlertId, IncidentId, ...);
//  3. it sets no threshold of its own: no filter follows an aggregation
//     (summarize, make-series, evaluate, top-nested, scan) in the same
//     pipeline.
//
// Filtering the alerts (by product, severity, name), reshaping them
// (extend, project, parse, mv-expand) and grouping them without a
// threshold keep a rule a feed; hunting queries that list alerts are feeds
// too.
func isThirdPartyFeed(d *rule.Document) bool {
	a := &d.Analysis
	n := 0
	for _, t := range a.Tables {
		if isLookupSource(t) {
			continue
		}
		if !isAlertTable(t) {
			return false
		}
		n++
	}
	if n == 0 {
		return false
	}
	aggregated := map[string]bool{}
	for _, st := range a.Stages {
		switch st.Kind {
		case "join", "lookup":
			if len(st.Predicates) == 0 {
				return false
			}
			for _, p := range st.Predicates {
				if !isAlertKey(p.Field) {
					return false
				}
			}
		case "summarize", "make-series", "evaluate", "top-nested", "scan":
			aggregated[st.Pipeline] = true
		case "where", "filter":
			if aggregated[st.Pipeline] && len(st.Predicates) > 0 {
				return false
			}
		}
	}
	return true
}
