package kusto

import (
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
)

// IsASIMParser reports whether a function name is a Sentinel ASIM parser
// (_Im_Dns, _ASim_NetworkSession, imProcessCreate, ASimDnsMicrosoftOMS,
// vimFileEvent...).
func IsASIMParser(name string) bool {
	l := strings.ToLower(name)
	switch {
	case strings.HasPrefix(l, "_im_"), strings.HasPrefix(l, "_asim_"):
		return true
	}
	for _, prefix := range []string{"im", "vim", "ASim", "asim"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && len(rest) > 1 && rest[0] >= 'A' && rest[0] <= 'Z' {
			return true
		}
	}
	return false
}

// asimFields maps the subject of an ASIM filtering parameter (the part
// before its operator suffix) to the normalised column it filters.
var asimFields = map[string]string{
	"srcipaddr": "SrcIpAddr", "dstipaddr": "DstIpAddr", "ipaddr": "SrcIpAddr", "dvcipaddr": "DvcIpAddr",
	"srchostname": "SrcHostname", "dsthostname": "DstHostname", "hostname": "SrcHostname", "dvchostname": "DvcHostname",
	"srcportnumber": "SrcPortNumber", "dstportnumber": "DstPortNumber",
	"dvcaction": "DvcAction", "eventresult": "EventResult", "eventresultdetails": "EventResultDetails", "eventtype": "EventType",
	"url": "Url", "httpuseragent": "HttpUserAgent", "httpstatuscode": "HttpStatusCode",
	"domain": "DnsQuery", "responsecodename": "DnsResponseCodeName", "response": "DnsResponseName",
	"actorusername": "ActorUsername", "targetusername": "TargetUsername", "username": "TargetUsername",
	"srcusername": "SrcUsername", "dstusername": "DstUsername",
	"commandline": "CommandLine", "actingprocess": "ActingProcessName", "targetprocess": "TargetProcessName",
	"parentprocess": "ParentProcessName", "targetfilepath": "TargetFilePath", "srcfilepath": "SrcFilePath",
	"targetappname": "TargetAppName", "srcappname": "SrcAppName", "dstappname": "DstAppName",
	"registrykey": "RegistryKey", "registryvalue": "RegistryValue", "registryvaluedata": "RegistryValueData",
}

// asimOps are the operator suffixes of ASIM filtering parameters, longest
// first.
var asimOps = []struct {
	suffix string
	kind   opKind
}{
	{"_has_any_ip_prefix", opKind{kind: rule.KindStartsWith}},
	{"_has_any_prefix", opKind{kind: rule.KindStartsWith}},
	{"_has_any", opKind{kind: rule.KindMatch}},
	{"_has_all", opKind{kind: rule.KindMatch, all: true}},
	{"_has", opKind{kind: rule.KindMatch}},
	{"_in", opKind{kind: rule.KindIn}},
	{"_startswith", opKind{kind: rule.KindStartsWith}},
	{"_endswith", opKind{kind: rule.KindEndsWith}},
	{"", opKind{kind: rule.KindEq}},
}

// asimParams records the filtering parameters of an ASIM parser call
// (_Im_Dns(domain_has_any=miners, responsecodename='NXDOMAIN')) as
// predicates on the normalised columns they filter; starttime and endtime
// are time filters.
func (fc *filter) asimParams(c *kql.CallExpr) {
	for _, a := range c.Args {
		n, ok := a.(*kql.NamedExpr)
		if !ok || len(n.Names) != 1 || n.Names[0] == nil {
			continue
		}
		name := strings.ToLower(n.Names[0].Name)
		if name == "starttime" {
			fc.timeNote(kql.GEQ, nil, n.Value)
			continue
		}
		for _, op := range asimOps {
			subject, ok := strings.CutSuffix(name, op.suffix)
			if !ok {
				continue
			}
			field, ok := asimFields[subject]
			if !ok {
				break
			}
			k := op.kind
			vals := fc.values(n.Value)
			if k.kind == rule.KindEq && len(vals) > 1 {
				k.kind = rule.KindIn
			}
			fc.add(fieldRef{name: field}, k, false, vals)
			break
		}
	}
}
