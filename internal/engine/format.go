package engine

import "strconv"

// AppendValueJSON appends v as JSON the way `detwiki run --format jsonl`
// writes it: numbers as numbers, datetimes RFC 3339 UTC, timespans and
// strings as strings, dynamic values as JSON, nulls as null.
func AppendValueJSON(b []byte, v Value) []byte {
	if v.Null && v.T != TypeString {
		return append(b, "null"...)
	}
	switch v.T {
	case TypeBool:
		return strconv.AppendBool(b, v.I != 0)
	case TypeInt, TypeLong:
		return strconv.AppendInt(b, v.I, 10)
	case TypeReal, TypeDecimal:
		return AppendJSON(b, v.F)
	case TypeDynamic:
		return AppendJSON(b, v.D)
	}
	return appendJSONString(b, v.String())
}
