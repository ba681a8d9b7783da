package engine

import (
	"encoding/xml"
	"io"
	"strings"
)

// parseXML converts XML into a dynamic value as parse_xml does: an element
// is a bag of its attributes (@name), children (repeated names become
// arrays) and text (#text); an element with only text is its text.
func parseXML(s string) any {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = false
	type frame struct {
		name string
		bag  *Bag
		text strings.Builder
	}
	root := &Bag{}
	stack := []*frame{{bag: root}}
	for depth := 0; ; depth++ {
		if depth > 1_000_000 {
			return nil
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > 256 {
				return nil
			}
			f := &frame{name: t.Name.Local, bag: &Bag{}}
			for _, a := range t.Attr {
				f.bag.Set("@"+a.Name.Local, a.Value)
			}
			stack = append(stack, f)
		case xml.CharData:
			stack[len(stack)-1].text.Write(t)
		case xml.EndElement:
			if len(stack) < 2 {
				return nil
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			var val any = f.bag
			text := strings.TrimSpace(f.text.String())
			if f.bag.Len() == 0 {
				val = text
			} else if text != "" {
				f.bag.Set("#text", text)
			}
			parent := stack[len(stack)-1].bag
			if old, ok := parent.Get(f.name); ok {
				if arr, isArr := old.([]any); isArr {
					parent.Set(f.name, append(arr, val))
				} else {
					parent.Set(f.name, []any{old, val})
				}
			} else {
				parent.Set(f.name, val)
			}
		}
	}
	if root.Len() == 0 {
		return nil
	}
	return root
}
