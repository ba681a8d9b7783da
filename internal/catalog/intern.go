package catalog

import (
	"reflect"
	"sync"
)

// interner makes equal strings share one copy. The documents of a stored
// catalog hold 2.2 million strings of which 250,000 differ (fields,
// kinds, providers, event names and values repeat across rules and
// stages); decoded from JSON each is an allocation of its own, and the
// collector of a server that keeps the catalog in memory visits every one
// of them on each cycle. Sharing them shrinks the heap and, more, the
// number of objects the collector marks.
type interner struct {
	strs map[string]string
}

func newInterner() *interner { return &interner{strs: map[string]string{}} }

func (in *interner) str(s string) string {
	if s == "" {
		return s
	}
	if t, ok := in.strs[s]; ok {
		return t
	}
	in.strs[s] = s
	return s
}

// value interns every string reachable from v (settable struct fields,
// slice elements, map values, pointers and interfaces).
func (in *interner) value(v reflect.Value) {
	if !hasStrings(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(in.str(v.String()))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				in.value(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			in.value(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			in.value(v.Elem())
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			val := iter.Value()
			switch {
			case val.Kind() == reflect.String:
				v.SetMapIndex(iter.Key(), reflect.ValueOf(in.str(val.String())).Convert(val.Type()))
			case val.Kind() == reflect.Interface && !val.IsNil() && val.Elem().Kind() == reflect.String:
				v.SetMapIndex(iter.Key(), reflect.ValueOf(in.str(val.Elem().String())))
			case val.Kind() == reflect.Interface && !val.IsNil():
				in.value(val.Elem())
			case val.Kind() == reflect.Pointer || val.Kind() == reflect.Slice || val.Kind() == reflect.Map:
				in.value(val)
			}
		}
	case reflect.Interface:
		if !v.IsNil() {
			e := v.Elem()
			switch e.Kind() {
			case reflect.String:
				if v.CanSet() {
					v.Set(reflect.ValueOf(in.str(e.String())))
				}
			case reflect.Pointer, reflect.Slice, reflect.Map:
				in.value(e)
			}
		}
	}
}

// stringTypes remembers which types hold strings (map[reflect.Type]bool).
var stringTypes sync.Map

// hasStrings reports whether a value of type t can reach a string.
func hasStrings(t reflect.Type) bool {
	if b, ok := stringTypes.Load(t); ok {
		return b.(bool)
	}
	stringTypes.Store(t, true) // recursive types: assume so while computing
	b := computeHasStrings(t)
	stringTypes.Store(t, b)
	return b
}

func computeHasStrings(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && hasStrings(f.Type) {
				return true
			}
		}
		return false
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return hasStrings(t.Elem())
	case reflect.Map:
		return hasStrings(t.Elem())
	}
	return false
}
