package kql

import (
	"strconv"
	"strings"
)

// Token is the kind of a lexical token: a literal, an identifier, a
// punctuation mark or one of Kusto's keywords. Keywords are matched exactly
// (Kusto keywords are case-sensitive) and include the multi-word operators
// Kusto lexes as one token: project-away, mv-expand, hint.strategy, in~,
// !contains, matches regex.
type Token uint16

// The token kinds.
const (
	ILLEGAL   Token = iota // a character that is not part of the language
	EOF                    // end of the text
	DIRECTIVE              // a #directive line (client directive)
	IDENT                  // Name, $left, ['quoted name'] is IDENT too in the AST

	literalBeg
	STRING   // 'a', "b", @'c', h"d", ```e```
	BOOL     // true, false, bool(...)
	LONG     // 123, 0x1F, long(...)
	INT      // int(...)
	REAL     // 1.5, 1e3, real(...), double(...)
	DECIMAL  // decimal(...)
	DATETIME // datetime(...), date(...)
	TIMESPAN // 2h, 1tick, 1.5d, time(...), timespan(...)
	GUID     // guid(...)
	RAWGUID  // 01234567-89ab-cdef-0123-456789abcdef (not allowed in most places)
	literalEnd

	punctBeg
	LPAREN    // (
	RPAREN    // )
	LBRACK    // [
	RBRACK    // ]
	LBRACE    // {
	RBRACE    // }
	BAR       // |
	LTBAR     // <|
	ADD       // +
	SUB       // -
	MUL       // *
	QUO       // /
	REM       // %
	DOT       // .
	DOTDOT    // ..
	BANG      // !
	LSS       // <
	LEQ       // <=
	GTR       // >
	GEQ       // >=
	ASSIGN    // =
	EQL       // ==
	NEQ       // !=
	LSSGTR    // <>
	COLON     // :
	SEMICOLON // ;
	COMMA     // ,
	EQTILDE   // =~
	NEQTILDE  // !~
	AT        // @
	QUESTION  // ?
	FATARROW  // =>
	punctEnd

	keywordBeg
	NOT_BETWEEN                 // !between
	NOT_CONTAINS                // !contains
	NOT_CONTAINS_CS             // !contains_cs
	NOT_ENDSWITH                // !endswith
	NOT_ENDSWITH_CS             // !endswith_cs
	NOT_HAS                     // !has
	NOT_HAS_CS                  // !has_cs
	NOT_HASPREFIX               // !hasprefix
	NOT_HASPREFIX_CS            // !hasprefix_cs
	NOT_HASSUFFIX               // !hassuffix
	NOT_HASSUFFIX_CS            // !hassuffix_cs
	NOT_IN                      // !in
	NOT_IN_CI                   // !in~
	NOT_STARTSWITH              // !startswith
	NOT_STARTSWITH_CS           // !startswith_cs
	CHART3D                     // 3Dchart
	HIDDEN_CONTEXTUAL_DATATABLE // __contextual_datatable
	HIDDEN_CROSSCLUSTER         // __crossCluster
	HIDDEN_CROSSDB              // __crossDB
	HIDDEN_EXECUTEANDCACHE      // __executeAndCache
	HIDDEN_ID                   // __id
	HIDDEN_ISFUZZY              // __isFuzzy
	HIDDEN_NOWITHSOURCE         // __noWithSource
	HIDDEN_PACKEDCOLUMN         // __packedColumn
	HIDDEN_PARTITIONBY          // __partitionby
	HIDDEN_PROJECTAWAY          // __projectAway
	HIDDEN_SOURCECOLUMNINDEX    // __sourceColumnIndex
	ACCESS                      // access
	ACCUMULATE                  // accumulate
	ALIAS                       // alias
	AND                         // and
	ANOMALYCHART                // anomalychart
	AREACHART                   // areachart
	AS                          // as
	ASC                         // asc
	ASSERT_SCHEMA               // assert-schema
	BAGEXPANSION                // bagexpansion
	BARCHART                    // barchart
	BEST_EFFORT                 // best_effort
	BETWEEN                     // between
	BIN                         // bin
	BIN_LEGACY                  // bin_legacy
	TYPE_BOOL                   // bool
	TYPE_BOOLEAN                // boolean
	BY                          // by
	TYPE_BYTE                   // byte
	CACHINGPOLICY               // cachingpolicy
	CALLOUT                     // callout
	CANCEL                      // cancel
	CARD                        // card
	TYPE_CHAR                   // char
	COLUMNCHART                 // columnchart
	COMMANDS_AND_QUERIES        // commands-and-queries
	CONSUME                     // consume
	CONTAINS                    // contains
	CONTAINS_CS                 // contains_cs
	CONTAINSCS                  // containscs
	COUNT                       // count
	CYCLES                      // cycles
	DATABASE                    // database
	DATAEXPORT                  // dataexport
	DATAFORMAT                  // dataformat
	DATASCOPE                   // datascope
	DATATABLE                   // datatable
	TYPE_DATE                   // date
	TYPE_DATETIME               // datetime
	DATETIME_PATTERN            // datetime_pattern
	TYPE_DECIMAL                // decimal
	DECLARE                     // declare
	DECODEBLOCKS                // decodeblocks
	DEFAULT                     // default
	DESC                        // desc
	DISTINCT                    // distinct
	TYPE_DOUBLE                 // double
	TYPE_DYNAMIC                // dynamic
	EARLIEST                    // earliest
	EDGES                       // edges
	ENCODINGPOLICY              // encodingpolicy
	ENDSWITH                    // endswith
	ENDSWITH_CS                 // endswith_cs
	ENTITY_GROUP                // entity_group
	EVALUATE                    // evaluate
	EXPANDOUTPUT                // expandoutput
	EXTEND                      // extend
	EXTENT_TAGS_RETENTION       // extent_tags_retention
	EXTERNAL_DATA               // external_data
	EXTERNALDATA                // externaldata
	FACET                       // facet
	FILTER                      // filter
	FIND                        // find
	FIRST                       // first
	FLAGS                       // flags
	TYPE_FLOAT                  // float
	FORCE_REMOTE                // force_remote
	FORK                        // fork
	FROM                        // from
	GETSCHEMA                   // getschema
	GRANNY_ASC                  // granny-asc
	GRANNY_DESC                 // granny-desc
	GRAPH                       // graph
	GRAPH_MARK_COMPONENTS       // graph-mark-components
	GRAPH_MATCH                 // graph-match
	GRAPH_SHORTEST_PATHS        // graph-shortest-paths
	GRAPH_TO_TABLE              // graph-to-table
	GRAPH_WHERE_EDGES           // graph-where-edges
	GRAPH_WHERE_NODES           // graph-where-nodes
	TYPE_GUID                   // guid
	HARDDELETE                  // harddelete
	HARDRETENTION               // hardretention
	HAS                         // has
	HAS_ALL                     // has_all
	HAS_ANY                     // has_any
	HAS_CS                      // has_cs
	HASPREFIX                   // hasprefix
	HASPREFIX_CS                // hasprefix_cs
	HASSUFFIX                   // hassuffix
	HASSUFFIX_CS                // hassuffix_cs
	HINT_CONCURRENCY            // hint.concurrency
	HINT_DISTRIBUTION           // hint.distribution
	HINT_MATERIALIZED           // hint.materialized
	HINT_NUM_PARTITIONS         // hint.num_partitions
	HINT_PROGRESSIVE_TOP        // hint.progressive_top
	HINT_REMOTE                 // hint.remote
	HINT_SHUFFLEKEY             // hint.shufflekey
	HINT_SPREAD                 // hint.spread
	HINT_STRATEGY               // hint.strategy
	HOTCACHE                    // hotcache
	ID                          // id
	IN                          // in
	INLINE_EXTERNAL_TABLE       // inline_external_table
	TYPE_INT                    // int
	TYPE_INT16                  // int16
	TYPE_INT32                  // int32
	TYPE_INT64                  // int64
	TYPE_INT8                   // int8
	INVOKE                      // invoke
	IN_CI                       // in~
	ISFUZZY                     // isfuzzy
	JOIN                        // join
	JOURNAL                     // journal
	KIND                        // kind
	LADDERCHART                 // ladderchart
	LAST                        // last
	LATEST                      // latest
	LET                         // let
	LIKE                        // like
	LIKECS                      // likecs
	LIMIT                       // limit
	LINECHART                   // linechart
	TYPE_LONG                   // long
	LOOKUP                      // lookup
	MACRO_EXPAND                // macro-expand
	MAKE_GRAPH                  // make-graph
	MAKE_SERIES                 // make-series
	MATCHES_REGEX               // matches regex
	MATERIALIZE                 // materialize
	MATERIALIZED_VIEW_COMBINE   // materialized-view-combine
	MATERIALIZED_VIEWS          // materialized-views
	MDM                         // mdm
	MISSING                     // missing
	MV_APPLY                    // mv-apply
	MV_EXPAND                   // mv-expand
	MVAPPLY                     // mvapply
	MVEXPAND                    // mvexpand
	NODES                       // nodes
	NOOPTIMIZATION              // nooptimization
	NOTCONTAINS                 // notcontains
	NOTCONTAINSCS               // notcontainscs
	NOTLIKE                     // notlike
	NOTLIKECS                   // notlikecs
	NULL                        // null
	NULLS                       // nulls
	OF                          // of
	ON                          // on
	OPTIONAL                    // optional
	OR                          // or
	ORDER                       // order
	OTHERS                      // others
	OUTPUT                      // output
	PACK                        // pack
	PARSE                       // parse
	PARSE_KV                    // parse-kv
	PARSE_WHERE                 // parse-where
	PARTITION                   // partition
	PARTITIONED_BY              // partitioned-by
	PATHFORMAT                  // pathformat
	PATTERN                     // pattern
	PIECHART                    // piechart
	PIVOTCHART                  // pivotchart
	PLOTLY                      // plotly
	PRINT                       // print
	PROJECT                     // project
	PROJECT_AWAY                // project-away
	PROJECT_BY_NAMES            // project-by-names
	PROJECT_KEEP                // project-keep
	PROJECT_RENAME              // project-rename
	PROJECT_REORDER             // project-reorder
	PROJECT_SMART               // project-smart
	QUERIES                     // queries
	QUERY_PARAMETERS            // query_parameters
	QUERY_RESULTS               // query_results
	RANGE                       // range
	TYPE_REAL                   // real
	REDUCE                      // reduce
	REGEX                       // regex
	RELAXED                     // relaxed
	RENDER                      // render
	RESTRICT                    // restrict
	RESTRICTED_VIEW_ACCESS      // restricted_view_access
	ROW_LEVEL_SECURITY          // row_level_security
	ROWSTORE                    // rowstore
	ROWSTORE_REFERENCES         // rowstore_references
	ROWSTORE_SEALINFO           // rowstore_sealinfo
	ROWSTOREPOLICY              // rowstorepolicy
	ROWSTORES                   // rowstores
	SAMPLE                      // sample
	SAMPLE_DISTINCT             // sample-distinct
	SCAN                        // scan
	SCATTERCHART                // scatterchart
	SEAL                        // seal
	SEALS                       // seals
	SEARCH                      // search
	SERIALIZE                   // serialize
	SET                         // set
	SET_OR_APPEND               // set-or-append
	SET_OR_REPLACE              // set-or-replace
	SHARDS                      // shards
	SIMPLE                      // simple
	SOFTDELETE                  // softdelete
	SOFTRETENTION               // softretention
	SORT                        // sort
	SQL                         // sql
	STACKEDAREACHART            // stackedareachart
	STARTSWITH                  // startswith
	STARTSWITH_CS               // startswith_cs
	STATISTICS                  // statistics
	STEP                        // step
	STOREDQUERYRESULTCONTAINERS // storedqueryresultcontainers
	TYPE_STRING                 // string
	SUMMARIZE                   // summarize
	TABLEPURGE                  // tablepurge
	TAKE                        // take
	TYPE_TIME                   // time
	TIMECHART                   // timechart
	TIMELINE                    // timeline
	TIMEPIVOT                   // timepivot
	TYPE_TIMESPAN               // timespan
	TITLE                       // title
	TO                          // to
	TOP                         // top
	TOP_HITTERS                 // top-hitters
	TOP_NESTED                  // top-nested
	TOSCALAR                    // toscalar
	TOTABLE                     // totable
	TREEMAP                     // treemap
	TYPEOF                      // typeof
	TYPE_UINT                   // uint
	TYPE_UINT16                 // uint16
	TYPE_UINT32                 // uint32
	TYPE_UINT64                 // uint64
	TYPE_UINT8                  // uint8
	TYPE_ULONG                  // ulong
	UNION                       // union
	TYPE_UNIQUEID               // uniqueid
	UNRESTRICTEDVIEWERS         // unrestrictedviewers
	TYPE_UUID                   // uuid
	VERBOSE                     // verbose
	VIEW                        // view
	VIEWERS                     // viewers
	VIEWS                       // views
	WHERE                       // where
	WITH                        // with
	WITH_ITEMINDEX              // with_itemindex
	WITH_MATCH_ID               // with_match_id
	WITH_NODE_ID                // with_node_id
	WITH_SOURCE                 // with_source
	WITH_STEP_NAME              // with_step_name
	WITHSOURCE                  // withsource
	WRITEAHEADLOG               // writeaheadlog
	keywordEnd
)

// keyword flags.
const (
	kwIdent    = 1 << iota // the keyword can be used as an identifier everywhere
	kwExtended             // the keyword can be used as a declared name (extend x = ...)
	kwType                 // the keyword names a scalar type
	kwSpecial              // kind, withsource: usable as a column reference in expressions
)

type tokenInfo struct {
	text  string
	flags uint8
}

var tokens = [...]tokenInfo{
	ILLEGAL:   {"ILLEGAL", 0},
	EOF:       {"EOF", 0},
	DIRECTIVE: {"DIRECTIVE", 0},
	IDENT:     {"IDENT", 0},

	STRING:   {"STRING", 0},
	BOOL:     {"BOOL", 0},
	LONG:     {"LONG", 0},
	INT:      {"INT", 0},
	REAL:     {"REAL", 0},
	DECIMAL:  {"DECIMAL", 0},
	DATETIME: {"DATETIME", 0},
	TIMESPAN: {"TIMESPAN", 0},
	GUID:     {"GUID", 0},
	RAWGUID:  {"RAWGUID", 0},

	LPAREN:    {"(", 0},
	RPAREN:    {")", 0},
	LBRACK:    {"[", 0},
	RBRACK:    {"]", 0},
	LBRACE:    {"{", 0},
	RBRACE:    {"}", 0},
	BAR:       {"|", 0},
	LTBAR:     {"<|", 0},
	ADD:       {"+", 0},
	SUB:       {"-", 0},
	MUL:       {"*", 0},
	QUO:       {"/", 0},
	REM:       {"%", 0},
	DOT:       {".", 0},
	DOTDOT:    {"..", 0},
	BANG:      {"!", 0},
	LSS:       {"<", 0},
	LEQ:       {"<=", 0},
	GTR:       {">", 0},
	GEQ:       {">=", 0},
	ASSIGN:    {"=", 0},
	EQL:       {"==", 0},
	NEQ:       {"!=", 0},
	LSSGTR:    {"<>", 0},
	COLON:     {":", 0},
	SEMICOLON: {";", 0},
	COMMA:     {",", 0},
	EQTILDE:   {"=~", 0},
	NEQTILDE:  {"!~", 0},
	AT:        {"@", 0},
	QUESTION:  {"?", 0},
	FATARROW:  {"=>", 0},

	NOT_BETWEEN:                 {"!between", 0},
	NOT_CONTAINS:                {"!contains", 0},
	NOT_CONTAINS_CS:             {"!contains_cs", 0},
	NOT_ENDSWITH:                {"!endswith", 0},
	NOT_ENDSWITH_CS:             {"!endswith_cs", 0},
	NOT_HAS:                     {"!has", 0},
	NOT_HAS_CS:                  {"!has_cs", 0},
	NOT_HASPREFIX:               {"!hasprefix", 0},
	NOT_HASPREFIX_CS:            {"!hasprefix_cs", 0},
	NOT_HASSUFFIX:               {"!hassuffix", 0},
	NOT_HASSUFFIX_CS:            {"!hassuffix_cs", 0},
	NOT_IN:                      {"!in", 0},
	NOT_IN_CI:                   {"!in~", 0},
	NOT_STARTSWITH:              {"!startswith", 0},
	NOT_STARTSWITH_CS:           {"!startswith_cs", 0},
	CHART3D:                     {"3Dchart", 0},
	HIDDEN_CONTEXTUAL_DATATABLE: {"__contextual_datatable", 0},
	HIDDEN_CROSSCLUSTER:         {"__crossCluster", 0},
	HIDDEN_CROSSDB:              {"__crossDB", 0},
	HIDDEN_EXECUTEANDCACHE:      {"__executeAndCache", 0},
	HIDDEN_ID:                   {"__id", 0},
	HIDDEN_ISFUZZY:              {"__isFuzzy", 0},
	HIDDEN_NOWITHSOURCE:         {"__noWithSource", 0},
	HIDDEN_PACKEDCOLUMN:         {"__packedColumn", 0},
	HIDDEN_PARTITIONBY:          {"__partitionby", kwIdent | kwExtended},
	HIDDEN_PROJECTAWAY:          {"__projectAway", 0},
	HIDDEN_SOURCECOLUMNINDEX:    {"__sourceColumnIndex", 0},
	ACCESS:                      {"access", kwIdent | kwExtended},
	ACCUMULATE:                  {"accumulate", kwExtended},
	ALIAS:                       {"alias", kwIdent | kwExtended},
	AND:                         {"and", 0},
	ANOMALYCHART:                {"anomalychart", 0},
	AREACHART:                   {"areachart", 0},
	AS:                          {"as", kwExtended},
	ASC:                         {"asc", 0},
	ASSERT_SCHEMA:               {"assert-schema", 0},
	BAGEXPANSION:                {"bagexpansion", 0},
	BARCHART:                    {"barchart", 0},
	BEST_EFFORT:                 {"best_effort", kwIdent | kwExtended},
	BETWEEN:                     {"between", 0},
	BIN:                         {"bin", kwIdent | kwExtended},
	BIN_LEGACY:                  {"bin_legacy", 0},
	TYPE_BOOL:                   {"bool", kwIdent | kwExtended | kwType},
	TYPE_BOOLEAN:                {"boolean", kwType},
	BY:                          {"by", kwExtended},
	TYPE_BYTE:                   {"byte", kwType},
	CACHINGPOLICY:               {"cachingpolicy", 0},
	CALLOUT:                     {"callout", 0},
	CANCEL:                      {"cancel", 0},
	CARD:                        {"card", 0},
	TYPE_CHAR:                   {"char", kwType},
	COLUMNCHART:                 {"columnchart", 0},
	COMMANDS_AND_QUERIES:        {"commands-and-queries", 0},
	CONSUME:                     {"consume", kwIdent | kwExtended},
	CONTAINS:                    {"contains", kwExtended},
	CONTAINS_CS:                 {"contains_cs", 0},
	CONTAINSCS:                  {"containscs", 0},
	COUNT:                       {"count", kwIdent | kwExtended},
	CYCLES:                      {"cycles", 0},
	DATABASE:                    {"database", kwIdent | kwExtended},
	DATAEXPORT:                  {"dataexport", 0},
	DATAFORMAT:                  {"dataformat", kwIdent | kwExtended},
	DATASCOPE:                   {"datascope", 0},
	DATATABLE:                   {"datatable", kwExtended},
	TYPE_DATE:                   {"date", kwType},
	TYPE_DATETIME:               {"datetime", kwType},
	DATETIME_PATTERN:            {"datetime_pattern", kwIdent | kwExtended},
	TYPE_DECIMAL:                {"decimal", kwType},
	DECLARE:                     {"declare", kwIdent | kwExtended},
	DECODEBLOCKS:                {"decodeblocks", 0},
	DEFAULT:                     {"default", kwIdent | kwExtended},
	DESC:                        {"desc", 0},
	DISTINCT:                    {"distinct", kwIdent | kwExtended},
	TYPE_DOUBLE:                 {"double", kwType},
	TYPE_DYNAMIC:                {"dynamic", kwType},
	EARLIEST:                    {"earliest", kwExtended},
	EDGES:                       {"edges", kwIdent | kwExtended},
	ENCODINGPOLICY:              {"encodingpolicy", 0},
	ENDSWITH:                    {"endswith", 0},
	ENDSWITH_CS:                 {"endswith_cs", 0},
	ENTITY_GROUP:                {"entity_group", kwIdent | kwExtended},
	EVALUATE:                    {"evaluate", kwIdent | kwExtended},
	EXPANDOUTPUT:                {"expandoutput", 0},
	EXTEND:                      {"extend", kwIdent | kwExtended},
	EXTENT_TAGS_RETENTION:       {"extent_tags_retention", 0},
	EXTERNAL_DATA:               {"external_data", 0},
	EXTERNALDATA:                {"externaldata", kwExtended},
	FACET:                       {"facet", kwIdent | kwExtended},
	FILTER:                      {"filter", kwIdent | kwExtended},
	FIND:                        {"find", kwExtended},
	FIRST:                       {"first", 0},
	FLAGS:                       {"flags", 0},
	TYPE_FLOAT:                  {"float", kwType},
	FORCE_REMOTE:                {"force_remote", 0},
	FORK:                        {"fork", kwIdent | kwExtended},
	FROM:                        {"from", kwIdent | kwExtended},
	GETSCHEMA:                   {"getschema", kwIdent | kwExtended},
	GRANNY_ASC:                  {"granny-asc", 0},
	GRANNY_DESC:                 {"granny-desc", 0},
	GRAPH:                       {"graph", kwIdent | kwExtended},
	GRAPH_MARK_COMPONENTS:       {"graph-mark-components", 0},
	GRAPH_MATCH:                 {"graph-match", 0},
	GRAPH_SHORTEST_PATHS:        {"graph-shortest-paths", 0},
	GRAPH_TO_TABLE:              {"graph-to-table", 0},
	GRAPH_WHERE_EDGES:           {"graph-where-edges", 0},
	GRAPH_WHERE_NODES:           {"graph-where-nodes", 0},
	TYPE_GUID:                   {"guid", kwIdent | kwExtended | kwType},
	HARDDELETE:                  {"harddelete", 0},
	HARDRETENTION:               {"hardretention", 0},
	HAS:                         {"has", kwExtended},
	HAS_ALL:                     {"has_all", 0},
	HAS_ANY:                     {"has_any", 0},
	HAS_CS:                      {"has_cs", 0},
	HASPREFIX:                   {"hasprefix", 0},
	HASPREFIX_CS:                {"hasprefix_cs", 0},
	HASSUFFIX:                   {"hassuffix", 0},
	HASSUFFIX_CS:                {"hassuffix_cs", 0},
	HINT_CONCURRENCY:            {"hint.concurrency", 0},
	HINT_DISTRIBUTION:           {"hint.distribution", 0},
	HINT_MATERIALIZED:           {"hint.materialized", 0},
	HINT_NUM_PARTITIONS:         {"hint.num_partitions", 0},
	HINT_PROGRESSIVE_TOP:        {"hint.progressive_top", 0},
	HINT_REMOTE:                 {"hint.remote", 0},
	HINT_SHUFFLEKEY:             {"hint.shufflekey", 0},
	HINT_SPREAD:                 {"hint.spread", 0},
	HINT_STRATEGY:               {"hint.strategy", 0},
	HOTCACHE:                    {"hotcache", 0},
	ID:                          {"id", kwIdent | kwExtended},
	IN:                          {"in", kwExtended},
	INLINE_EXTERNAL_TABLE:       {"inline_external_table", kwIdent | kwExtended},
	TYPE_INT:                    {"int", kwType},
	TYPE_INT16:                  {"int16", kwType},
	TYPE_INT32:                  {"int32", kwType},
	TYPE_INT64:                  {"int64", kwType},
	TYPE_INT8:                   {"int8", kwType},
	INVOKE:                      {"invoke", kwExtended},
	IN_CI:                       {"in~", 0},
	ISFUZZY:                     {"isfuzzy", 0},
	JOIN:                        {"join", kwIdent | kwExtended},
	JOURNAL:                     {"journal", 0},
	KIND:                        {"kind", kwSpecial},
	LADDERCHART:                 {"ladderchart", 0},
	LAST:                        {"last", 0},
	LATEST:                      {"latest", kwExtended},
	LET:                         {"let", kwIdent | kwExtended},
	LIKE:                        {"like", 0},
	LIKECS:                      {"likecs", 0},
	LIMIT:                       {"limit", kwIdent | kwExtended},
	LINECHART:                   {"linechart", 0},
	TYPE_LONG:                   {"long", kwType},
	LOOKUP:                      {"lookup", kwIdent | kwExtended},
	MACRO_EXPAND:                {"macro-expand", 0},
	MAKE_GRAPH:                  {"make-graph", 0},
	MAKE_SERIES:                 {"make-series", 0},
	MATCHES_REGEX:               {"matches regex", 0},
	MATERIALIZE:                 {"materialize", kwExtended},
	MATERIALIZED_VIEW_COMBINE:   {"materialized-view-combine", 0},
	MATERIALIZED_VIEWS:          {"materialized-views", 0},
	MDM:                         {"mdm", kwExtended},
	MISSING:                     {"missing", 0},
	MV_APPLY:                    {"mv-apply", 0},
	MV_EXPAND:                   {"mv-expand", 0},
	MVAPPLY:                     {"mvapply", kwIdent | kwExtended},
	MVEXPAND:                    {"mvexpand", kwIdent | kwExtended},
	NODES:                       {"nodes", kwIdent | kwExtended},
	NOOPTIMIZATION:              {"nooptimization", 0},
	NOTCONTAINS:                 {"notcontains", 0},
	NOTCONTAINSCS:               {"notcontainscs", 0},
	NOTLIKE:                     {"notlike", 0},
	NOTLIKECS:                   {"notlikecs", 0},
	NULL:                        {"null", kwIdent | kwExtended},
	NULLS:                       {"nulls", kwIdent | kwExtended},
	OF:                          {"of", kwExtended},
	ON:                          {"on", kwIdent | kwExtended},
	OPTIONAL:                    {"optional", kwIdent | kwExtended},
	OR:                          {"or", 0},
	ORDER:                       {"order", kwIdent | kwExtended},
	OTHERS:                      {"others", 0},
	OUTPUT:                      {"output", kwIdent | kwExtended},
	PACK:                        {"pack", kwIdent | kwExtended},
	PARSE:                       {"parse", kwIdent | kwExtended},
	PARSE_KV:                    {"parse-kv", 0},
	PARSE_WHERE:                 {"parse-where", 0},
	PARTITION:                   {"partition", kwIdent | kwExtended},
	PARTITIONED_BY:              {"partitioned-by", 0},
	PATHFORMAT:                  {"pathformat", 0},
	PATTERN:                     {"pattern", kwIdent | kwExtended},
	PIECHART:                    {"piechart", 0},
	PIVOTCHART:                  {"pivotchart", 0},
	PLOTLY:                      {"plotly", kwIdent | kwExtended},
	PRINT:                       {"print", kwExtended},
	PROJECT:                     {"project", 0},
	PROJECT_AWAY:                {"project-away", 0},
	PROJECT_BY_NAMES:            {"project-by-names", 0},
	PROJECT_KEEP:                {"project-keep", 0},
	PROJECT_RENAME:              {"project-rename", 0},
	PROJECT_REORDER:             {"project-reorder", 0},
	PROJECT_SMART:               {"project-smart", 0},
	QUERIES:                     {"queries", 0},
	QUERY_PARAMETERS:            {"query_parameters", kwIdent | kwExtended},
	QUERY_RESULTS:               {"query_results", 0},
	RANGE:                       {"range", kwIdent | kwExtended},
	TYPE_REAL:                   {"real", kwType},
	REDUCE:                      {"reduce", kwIdent | kwExtended},
	REGEX:                       {"regex", kwIdent | kwExtended},
	RELAXED:                     {"relaxed", 0},
	RENDER:                      {"render", kwIdent | kwExtended},
	RESTRICT:                    {"restrict", kwIdent | kwExtended},
	RESTRICTED_VIEW_ACCESS:      {"restricted_view_access", 0},
	ROW_LEVEL_SECURITY:          {"row_level_security", 0},
	ROWSTORE:                    {"rowstore", 0},
	ROWSTORE_REFERENCES:         {"rowstore_references", 0},
	ROWSTORE_SEALINFO:           {"rowstore_sealinfo", 0},
	ROWSTOREPOLICY:              {"rowstorepolicy", 0},
	ROWSTORES:                   {"rowstores", 0},
	SAMPLE:                      {"sample", kwExtended},
	SAMPLE_DISTINCT:             {"sample-distinct", kwExtended},
	SCAN:                        {"scan", kwIdent | kwExtended},
	SCATTERCHART:                {"scatterchart", 0},
	SEAL:                        {"seal", 0},
	SEALS:                       {"seals", 0},
	SEARCH:                      {"search", kwExtended},
	SERIALIZE:                   {"serialize", kwIdent | kwExtended},
	SET:                         {"set", kwExtended},
	SET_OR_APPEND:               {"set-or-append", 0},
	SET_OR_REPLACE:              {"set-or-replace", 0},
	SHARDS:                      {"shards", 0},
	SIMPLE:                      {"simple", 0},
	SOFTDELETE:                  {"softdelete", 0},
	SOFTRETENTION:               {"softretention", 0},
	SORT:                        {"sort", kwIdent | kwExtended},
	SQL:                         {"sql", kwExtended},
	STACKEDAREACHART:            {"stackedareachart", 0},
	STARTSWITH:                  {"startswith", 0},
	STARTSWITH_CS:               {"startswith_cs", 0},
	STATISTICS:                  {"statistics", 0},
	STEP:                        {"step", kwIdent | kwExtended},
	STOREDQUERYRESULTCONTAINERS: {"storedqueryresultcontainers", 0},
	TYPE_STRING:                 {"string", kwType},
	SUMMARIZE:                   {"summarize", kwIdent | kwExtended},
	TABLEPURGE:                  {"tablepurge", 0},
	TAKE:                        {"take", kwIdent | kwExtended},
	TYPE_TIME:                   {"time", kwType},
	TIMECHART:                   {"timechart", 0},
	TIMELINE:                    {"timeline", 0},
	TIMEPIVOT:                   {"timepivot", 0},
	TYPE_TIMESPAN:               {"timespan", kwType},
	TITLE:                       {"title", kwExtended},
	TO:                          {"to", kwExtended},
	TOP:                         {"top", kwIdent | kwExtended},
	TOP_HITTERS:                 {"top-hitters", kwExtended},
	TOP_NESTED:                  {"top-nested", kwExtended},
	TOSCALAR:                    {"toscalar", kwExtended},
	TOTABLE:                     {"totable", kwExtended},
	TREEMAP:                     {"treemap", 0},
	TYPEOF:                      {"typeof", kwIdent | kwExtended},
	TYPE_UINT:                   {"uint", kwType},
	TYPE_UINT16:                 {"uint16", kwType},
	TYPE_UINT32:                 {"uint32", kwType},
	TYPE_UINT64:                 {"uint64", kwType},
	TYPE_UINT8:                  {"uint8", kwType},
	TYPE_ULONG:                  {"ulong", kwType},
	UNION:                       {"union", 0},
	TYPE_UNIQUEID:               {"uniqueid", kwType},
	UNRESTRICTEDVIEWERS:         {"unrestrictedviewers", 0},
	TYPE_UUID:                   {"uuid", kwIdent | kwExtended | kwType},
	VERBOSE:                     {"verbose", kwExtended},
	VIEW:                        {"view", kwIdent | kwExtended},
	VIEWERS:                     {"viewers", kwExtended},
	VIEWS:                       {"views", 0},
	WHERE:                       {"where", kwExtended},
	WITH:                        {"with", kwIdent | kwExtended},
	WITH_ITEMINDEX:              {"with_itemindex", 0},
	WITH_MATCH_ID:               {"with_match_id", 0},
	WITH_NODE_ID:                {"with_node_id", kwIdent | kwExtended},
	WITH_SOURCE:                 {"with_source", kwSpecial},
	WITH_STEP_NAME:              {"with_step_name", 0},
	WITHSOURCE:                  {"withsource", kwSpecial},
	WRITEAHEADLOG:               {"writeaheadlog", 0},
}

// String returns the token's text for punctuation and keywords ("where",
// "project-away", "!in~") and its name for the other kinds ("IDENT").
func (t Token) String() string {
	if int(t) < len(tokens) && tokens[t].text != "" {
		return tokens[t].text
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// IsLiteral reports whether t is a literal kind (STRING, LONG, TIMESPAN, ...).
func (t Token) IsLiteral() bool { return literalBeg < t && t < literalEnd }

// IsKeyword reports whether t is a keyword.
func (t Token) IsKeyword() bool { return keywordBeg < t && t < keywordEnd }

// IsPunctuation reports whether t is a punctuation or operator symbol.
func (t Token) IsPunctuation() bool { return punctBeg < t && t < punctEnd }

// CanBeIdentifier reports whether the keyword t may also be used as a plain
// identifier (count, extend, filter, ...), as Kusto allows.
func (t Token) CanBeIdentifier() bool { return t.IsKeyword() && tokens[t].flags&kwIdent != 0 }

// isExtendedIdent reports whether the keyword may name a declared column
// (extend title = 1).
func (t Token) isExtendedIdent() bool { return t.IsKeyword() && tokens[t].flags&kwExtended != 0 }

// IsType reports whether the keyword names a scalar type (string, long, ...).
func (t Token) IsType() bool { return t.IsKeyword() && tokens[t].flags&kwType != 0 }

func (t Token) isSpecialIdent() bool { return t.IsKeyword() && tokens[t].flags&kwSpecial != 0 }

// keywords maps the text of every single-word keyword to its token.
var keywords map[string]Token

// compounds lists, for the leading word of each multi-part keyword
// (project-away, hint.strategy, matches regex, in~), the keywords it starts.
var compounds map[string][]Token

// bangKeywords are the keywords that start with '!' (!has, !in~, ...).
var bangKeywords []Token

func init() {
	keywords = make(map[string]Token, keywordEnd-keywordBeg)
	compounds = make(map[string][]Token)
	for t := keywordBeg + 1; t < keywordEnd; t++ {
		text := tokens[t].text
		switch {
		case text[0] == '!':
			bangKeywords = append(bangKeywords, t)
		case strings.ContainsAny(text, "-. ~"):
			i := strings.IndexAny(text, "-. ~")
			compounds[text[:i]] = append(compounds[text[:i]], t)
		default:
			keywords[text] = t
		}
	}
}

// Lookup returns the keyword token spelled exactly ident, or IDENT.
func Lookup(ident string) Token {
	if t, ok := keywords[ident]; ok {
		return t
	}
	return IDENT
}
