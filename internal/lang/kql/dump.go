package kql

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

var (
	posType      = reflect.TypeOf(source.Pos(0))
	posSliceType = reflect.TypeOf([]source.Pos(nil))
)

// Dump renders a syntax tree as indented text without positions, for tests
// and debugging: node types, names, literal text, operator tokens. Empty
// fields are left out. Two trees with equal dumps have the same structure.
func Dump(n Node) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n), 0)
	b.WriteByte('\n')
	return b.String()
}

func dumpIndent(b *strings.Builder, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice:
		return v.IsNil() || (v.Kind() == reflect.Slice && v.Len() == 0)
	case reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Uint16:
		return v.Uint() == 0
	}
	return false
}

func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		switch n := v.Interface().(type) {
		case *Ident:
			b.WriteString("Ident ")
			b.WriteString(strconv.Quote(n.Name))
			if n.Quoted {
				b.WriteString(" quoted")
			}
			if n.Wildcard {
				b.WriteString(" wildcard")
			}
			return
		case *BasicLit:
			b.WriteString("BasicLit ")
			b.WriteString(n.Kind.String())
			b.WriteByte(' ')
			b.WriteString(strconv.Quote(n.Raw))
			return
		}
		if v.Kind() == reflect.Pointer {
			b.WriteString(v.Type().Elem().Name())
			b.WriteByte(' ')
		}
		dumpValue(b, v.Elem(), depth)
	case reflect.Struct:
		b.WriteString("{")
		fields := 0
		dumpFields(b, v, depth+1, &fields)
		if fields > 0 {
			b.WriteByte('\n')
			dumpIndent(b, depth)
		}
		b.WriteString("}")
	case reflect.Slice:
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			b.WriteByte('\n')
			dumpIndent(b, depth+1)
			dumpValue(b, v.Index(i), depth+1)
		}
		if v.Len() > 0 {
			b.WriteByte('\n')
			dumpIndent(b, depth)
		}
		b.WriteString("]")
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Uint16:
		if v.Type() == reflect.TypeOf(Token(0)) {
			b.WriteString(Token(v.Uint()).String())
			return
		}
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	default:
		b.WriteString(v.String())
	}
}

func dumpFields(b *strings.Builder, v reflect.Value, depth int, count *int) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			dumpFields(b, fv, depth, count)
			continue
		}
		if f.Type == posType || f.Type == posSliceType || !f.IsExported() || isEmptyValue(fv) {
			continue
		}
		*count++
		b.WriteByte('\n')
		dumpIndent(b, depth)
		b.WriteString(f.Name)
		b.WriteString(": ")
		dumpValue(b, fv, depth)
	}
}
