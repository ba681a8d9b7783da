package engine

import (
	"strconv"
	"strings"
)

// signature is what the checker knows of a scalar function: its arity and
// result type. Implementations live apart (builtins.go), bound by Impl.
type signature struct {
	Name     string
	Min, Max int // Max < 0: variadic
	Impl     string
	Result   func(args []Type) (Type, string)
}

func (s *signature) arity() string {
	switch {
	case s.Max < 0:
		return strconv.Itoa(s.Min) + " or more"
	case s.Min == s.Max:
		return strconv.Itoa(s.Min)
	}
	return strconv.Itoa(s.Min) + " to " + strconv.Itoa(s.Max)
}

// Result rules.
func returns(t Type) func([]Type) (Type, string) {
	return func([]Type) (Type, string) { return t, "" }
}

func sameAs(i int) func([]Type) (Type, string) {
	return func(a []Type) (Type, string) {
		if i < len(a) {
			return a[i], ""
		}
		return TypeUnknown, ""
	}
}

// commonOf returns the common type of the arguments from i on, stepping
// by step (iff's branches, case's values, coalesce).
func commonOf(pick func(n int) []int) func([]Type) (Type, string) {
	return func(a []Type) (Type, string) {
		t := TypeUnknown
		for _, i := range pick(len(a)) {
			if i >= len(a) {
				continue
			}
			at := a[i]
			switch {
			case t == TypeUnknown:
				t = at
			case at == TypeUnknown || at == t:
			case t.isNumeric() && at.isNumeric():
				t = commonType(t, at)
			case at == TypeDynamic:
			case t == TypeDynamic:
				t = at
			default:
				return TypeUnknown, "arguments have different types (" + t.String() + " and " + at.String() + ")"
			}
		}
		if t == TypeUnknown {
			t = TypeString
		}
		return t, ""
	}
}

func numericResult(a []Type) (Type, string) {
	if len(a) > 0 && (a[0].isIntLike()) {
		return TypeLong, ""
	}
	return TypeReal, ""
}

// binResult: bin of a datetime is a datetime, of a timespan a timespan, of
// a number its type.
func binResult(a []Type) (Type, string) {
	if len(a) == 0 {
		return TypeUnknown, ""
	}
	switch a[0] {
	case TypeDateTime, TypeTimeSpan, TypeInt, TypeLong, TypeReal, TypeDecimal:
		return a[0], ""
	case TypeDynamic, TypeUnknown:
		return TypeReal, ""
	}
	return TypeUnknown, "bin needs a number, datetime or timespan, not " + a[0].String()
}

var signatures = map[string]*signature{}

// def declares functions sharing one signature and implementation; names
// are separated by '|' (the first names the implementation).
func def(names string, min, max int, result func([]Type) (Type, string)) {
	list := strings.Split(names, "|")
	for _, n := range list {
		signatures[n] = &signature{Name: n, Min: min, Max: max, Impl: list[0], Result: result}
	}
}

func init() {
	T := returns
	// conversions
	def("tostring", 1, 1, T(TypeString))
	def("toint", 1, 1, T(TypeInt))
	def("tolong", 1, 1, T(TypeLong))
	def("todouble|toreal", 1, 1, T(TypeReal))
	def("todecimal", 1, 1, T(TypeDecimal))
	def("tobool|toboolean", 1, 1, T(TypeBool))
	def("todatetime", 1, 1, T(TypeDateTime))
	def("totimespan|totime", 1, 1, T(TypeTimeSpan))
	def("toguid", 1, 1, T(TypeGuid))
	def("todynamic|parse_json|parsejson|toobject", 1, 1, T(TypeDynamic))
	def("parse_xml", 1, 1, T(TypeDynamic))
	def("gettype", 1, 1, T(TypeString))
	// logic and nulls
	def("not", 1, 1, T(TypeBool))
	def("isnull", 1, 1, T(TypeBool))
	def("isnotnull|notnull", 1, 1, T(TypeBool))
	def("isempty", 1, 1, T(TypeBool))
	def("isnotempty|notempty", 1, 1, T(TypeBool))
	def("iff|iif", 3, 3, commonOf(func(int) []int { return []int{1, 2} }))
	def("case", 3, -1, commonOf(func(n int) []int {
		var out []int
		for i := 1; i < n; i += 2 {
			out = append(out, i)
		}
		return append(out, n-1)
	}))
	def("coalesce", 1, -1, commonOf(func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}))
	def("max_of", 1, -1, commonOf(func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}))
	signatures["min_of"] = &signature{Name: "min_of", Min: 1, Max: -1, Impl: "min_of", Result: signatures["max_of"].Result}
	// strings
	def("tolower", 1, 1, T(TypeString))
	def("toupper", 1, 1, T(TypeString))
	def("strlen", 1, 1, T(TypeLong))
	def("string_size", 1, 1, T(TypeLong))
	def("strcat", 1, -1, T(TypeString))
	def("strcat_delim", 2, -1, T(TypeString))
	def("strcat_array", 2, 2, T(TypeString))
	def("substring", 2, 3, T(TypeString))
	def("indexof", 2, 5, T(TypeLong))
	def("countof", 2, 3, T(TypeLong))
	def("split", 2, 3, T(TypeDynamic))
	def("extract", 3, 4, func(a []Type) (Type, string) { return TypeString, "" })
	def("extract_all", 2, 3, T(TypeDynamic))
	def("extractjson", 2, 3, T(TypeString))
	def("replace", 3, 3, T(TypeString))
	def("replace_regex", 3, 3, T(TypeString))
	def("replace_string", 3, 3, T(TypeString))
	def("trim", 2, 2, T(TypeString))
	def("trim_start", 2, 2, T(TypeString))
	def("trim_end", 2, 2, T(TypeString))
	def("reverse", 1, 1, T(TypeString))
	def("strrep", 2, 3, T(TypeString))
	def("strcmp", 2, 2, T(TypeInt))
	def("translate", 3, 3, T(TypeString))
	def("isascii", 1, 1, T(TypeBool))
	def("url_decode", 1, 1, T(TypeString))
	def("url_encode", 1, 1, T(TypeString))
	def("url_encode_component", 1, 1, T(TypeString))
	def("base64_decode_tostring|base64_decodestring", 1, 1, T(TypeString))
	def("base64_encode_tostring|base64_encodestring", 1, 1, T(TypeString))
	def("base64_decode_toarray", 1, 1, T(TypeDynamic))
	def("hash_sha256", 1, 1, T(TypeString))
	def("hash_sha1", 1, 1, T(TypeString))
	def("hash_md5", 1, 1, T(TypeString))
	def("tohex", 1, 2, T(TypeString))
	def("parse_command_line", 2, 2, T(TypeDynamic))
	def("parse_path", 1, 1, T(TypeDynamic))
	def("parse_url", 1, 1, T(TypeDynamic))
	def("parse_urlquery", 1, 1, T(TypeDynamic))
	def("parse_ipv4", 1, 1, T(TypeLong))
	def("new_guid", 0, 0, T(TypeGuid))
	// dynamic
	def("array_length|arraylength", 1, 1, T(TypeLong))
	def("array_concat", 1, -1, T(TypeDynamic))
	def("array_slice", 3, 3, T(TypeDynamic))
	def("array_index_of", 2, 4, T(TypeLong))
	def("array_sort_asc", 1, 2, T(TypeDynamic))
	def("array_sort_desc", 1, 2, T(TypeDynamic))
	def("array_reverse", 1, 1, T(TypeDynamic))
	def("array_sum", 1, 1, T(TypeReal))
	def("set_has_element", 2, 2, T(TypeBool))
	def("set_difference", 2, -1, T(TypeDynamic))
	def("set_union", 2, -1, T(TypeDynamic))
	def("set_intersect", 2, -1, T(TypeDynamic))
	def("pack|bag_pack", 0, -1, T(TypeDynamic))
	def("pack_array", 0, -1, T(TypeDynamic))
	def("bag_keys", 1, 1, T(TypeDynamic))
	def("bag_merge", 1, -1, T(TypeDynamic))
	def("bag_remove_keys", 2, 2, T(TypeDynamic))
	def("bag_has_key", 2, 2, T(TypeBool))
	def("zip", 2, -1, T(TypeDynamic))
	// ip addresses
	def("ipv4_is_private", 1, 1, T(TypeBool))
	def("ipv4_is_in_range", 2, 2, T(TypeBool))
	def("ipv4_is_in_any_range", 2, -1, T(TypeBool))
	def("ipv4_is_match", 2, 3, T(TypeBool))
	def("ipv4_compare", 2, 3, T(TypeInt))
	def("ipv6_is_match", 2, 3, T(TypeBool))
	def("has_ipv4", 2, 2, T(TypeBool))
	def("has_any_ipv4", 2, -1, T(TypeBool))
	// datetime
	def("datetime_diff", 3, 3, T(TypeLong))
	def("datetime_add", 3, 3, T(TypeDateTime))
	def("datetime_part|datepart", 2, 2, T(TypeInt))
	def("startofday", 1, 2, T(TypeDateTime))
	def("startofweek", 1, 2, T(TypeDateTime))
	def("startofmonth", 1, 2, T(TypeDateTime))
	def("startofyear", 1, 2, T(TypeDateTime))
	def("endofday", 1, 2, T(TypeDateTime))
	def("endofweek", 1, 2, T(TypeDateTime))
	def("endofmonth", 1, 2, T(TypeDateTime))
	def("endofyear", 1, 2, T(TypeDateTime))
	def("dayofweek", 1, 1, T(TypeTimeSpan))
	def("dayofmonth", 1, 1, T(TypeInt))
	def("dayofyear", 1, 1, T(TypeInt))
	def("hourofday", 1, 1, T(TypeInt))
	def("getmonth|monthofyear", 1, 1, T(TypeInt))
	def("getyear", 1, 1, T(TypeInt))
	def("week_of_year|weekofyear", 1, 1, T(TypeInt))
	def("format_datetime", 2, 2, T(TypeString))
	def("format_timespan", 2, 2, T(TypeString))
	def("make_datetime", 1, 7, T(TypeDateTime))
	def("make_timespan", 1, 4, T(TypeTimeSpan))
	def("unixtime_seconds_todatetime", 1, 1, T(TypeDateTime))
	def("unixtime_milliseconds_todatetime", 1, 1, T(TypeDateTime))
	def("unixtime_microseconds_todatetime", 1, 1, T(TypeDateTime))
	def("unixtime_nanoseconds_todatetime", 1, 1, T(TypeDateTime))
	def("ingestion_time", 0, 0, T(TypeDateTime))
	// math
	def("bin|floor", 2, 2, binResult)
	def("bin_at", 3, 3, binResult)
	def("round", 1, 2, func(a []Type) (Type, string) {
		if len(a) > 0 && a[0].isIntLike() {
			return a[0], ""
		}
		return TypeReal, ""
	})
	def("abs", 1, 1, sameAs(0))
	def("ceiling", 1, 1, sameAs(0))
	def("sign", 1, 1, sameAs(0))
	for _, n := range []string{"exp", "exp2", "exp10", "log", "log10", "log2"} {
		def(n, 1, 1, T(TypeReal))
	}
	def("pow", 2, 2, T(TypeReal))
	def("sqrt", 1, 1, T(TypeReal))
	def("isnan", 1, 1, T(TypeBool))
	def("isinf", 1, 1, T(TypeBool))
	def("isfinite", 1, 1, T(TypeBool))
	def("rand", 0, 1, T(TypeReal))
	def("binary_and", 2, 2, T(TypeLong))
	def("binary_or", 2, 2, T(TypeLong))
	def("binary_xor", 2, 2, T(TypeLong))
	def("binary_not", 1, 1, T(TypeLong))
	def("binary_shift_left", 2, 2, T(TypeLong))
	def("binary_shift_right", 2, 2, T(TypeLong))
	// window functions over serialized rows
	def("row_number", 0, 2, T(TypeLong))
	def("prev", 1, 3, sameAs(0))
	def("next", 1, 3, sameAs(0))
	_ = numericResult
}

// knownUnsupported are Kusto functions detwiki's engine knows but does not
// run (time-series and geo math, machine learning, service lookups): a
// query using one gets a clear diagnostic.
var knownUnsupported = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`series_decompose_anomalies series_fit_line series_decompose series_stats
	series_stats_dynamic series_outliers series_periods_detect series_fill_linear series_fill_forward series_add
	series_subtract series_multiply series_divide series_iir series_fir series_seasonal series_fit_2lines
	series_decompose_forecast series_pearson_correlation geo_info_from_ip_address geo_point_to_s2cell
	geo_distance_2points geo_point_in_polygon ipv4_lookup ipv6_lookup current_cluster_endpoint current_database
	current_principal current_principal_details cursor_after estimate_data_size extent_id extent_tags
	row_window_session row_cumsum row_rank_dense row_rank_min hash hash_combine hash_many hash_xxhash64
	percentile_tdigest tdigest_merge hll_merge dcount_hll jaccard_index punycode_from_string
	unicode_codepoints_from_string unicode_codepoints_to_string zlib_decompress_from_base64_string
	gzip_decompress_from_base64_string zlib_compress_to_base64_string gzip_compress_to_base64_string
	parse_version format_bytes format_ipv4 format_ipv4_mask ipv4_netmask_suffix parse_ipv6 parse_ipv6_mask
	parse_ipv4_mask ipv6_compare base64_encode_fromarray base64_encode_fromguid base64_decode_toguid
	bitset_count_ones binary_all_and binary_all_or series_sum series_min series_max series_avg
	array_iff array_split array_rotate_left array_rotate_right array_shift_left array_shift_right
	todecimal_ext to_utf8 bag_set_key bag_zip regex_quote treepath
	ipv6_is_in_range ipv6_is_in_any_range substring_regex datetime_local_to_utc
	datetime_utc_to_local getschema`) {
		knownUnsupported[n] = true
	}
}
