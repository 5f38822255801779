package sourcefile

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckJSON(t *testing.T) {
	t.Parallel()
	shape := Shape{
		Depth:    Limit{Max: 6, Name: "MaxDepth"},
		Elements: Limit{Max: 20, Name: "MaxElements"},
		Arrays:   []ArrayLimit{{Member: "items", Things: "items", Limit: Limit{Max: 3, Name: "MaxItems"}}},
	}
	tests := []struct {
		name, doc string
		want      string // the error's text; "" for none
	}{
		{name: "within every limit", doc: `{"items": [1, 2, 3], "other": [[1, 2], {"items": []}]}`},
		{name: "as deep as the limit", doc: `[[[[[[]]]]]]`},
		{name: "deeper than the limit", doc: `[{"a":[[[{"b":[]}]]]}]`, want: "more than 6 levels of nesting, at byte offset 14, over the limit (MaxDepth)"},
		{name: "an array over its limit", doc: `{"items": [1, 2, 3, 4, [5, 6], "7,8"]}`, want: "items: 6 items, over the limit of 3 (MaxItems)"},
		{name: "its path", doc: `{"a": [{}, {"b_2": {"items": [{},{},{},{}]}}]}`, want: "a[1].b_2.items: 4 items, over the limit of 3 (MaxItems)"},
		{name: "a name in the path is shown by its length", doc: `{"Jane Roe": {"items": [1,2,3,4]}}`, want: "(a value of 8 characters).items: 4 items, over the limit of 3 (MaxItems)"},
		{name: "the member matched in any case", doc: `{"ITEMS": [1,2,3,4]}`, want: "items: 4 items, over the limit of 3 (MaxItems)"},
		{name: "the member written with escapes", doc: `{"it\u0065ms": [1,2,3,4]}`, want: "items: 4 items, over the limit of 3 (MaxItems)"},
		{name: "another member is not limited", doc: `{"things": [1,2,3,4], "items": [1]}`},
		{name: "brackets in strings are not counted", doc: `{"items": ["[[[[[", "\"]]]]]", "a,b,c,d"]}`},
		{name: "elements in the whole document", doc: `[` + strings.Repeat(`[1,2,3],`, 5) + `1]`, want: "more than 20 array elements in the document, over the limit (MaxElements)"},
		{name: "not JSON is left to the decoder", doc: `]]]]][[[[[[[[`},
		{name: "a string cut short", doc: `["[[[[[[[[`},
		{name: "empty", doc: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckJSON([]byte(tt.doc), shape)
			if diff := cmp.Diff(tt.want, text(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tt.want != "" && !errors.Is(err, ErrLimit) {
				t.Errorf("the error does not wrap ErrLimit")
			}
		})
	}
}

func text(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestEachMember(t *testing.T) {
	t.Parallel()
	type member struct{ Name, Value string }
	tests := []struct {
		name, doc string
		want      []member
		ok        bool
	}{
		{name: "empty", doc: ` { } `, ok: true},
		{
			name: "members in order, repeats and escapes",
			doc:  `{"a": 1, "b" : {"c": [1, "}"]}, "a": "x\"y", "\u0064": null, "e":true}`,
			want: []member{{"a", "1"}, {"b", `{"c": [1, "}"]}`}, {"a", `"x\"y"`}, {"d", "null"}, {"e", "true"}},
			ok:   true,
		},
		{name: "not an object", doc: `[1]`},
		{name: "cut short", doc: `{"a": 1, "b": [1`, want: []member{{"a", "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []member
			ok := EachMember([]byte(tt.doc), func(name, value []byte) bool {
				got = append(got, member{string(name), string(value)})
				return true
			})
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
		})
	}
}

func TestElements(t *testing.T) {
	t.Parallel()
	got, ok := Elements([]byte(` [1, "a,b", {"c": [2]}, [], null ] `))
	var texts []string
	for _, e := range got {
		texts = append(texts, string(e))
	}
	if diff := cmp.Diff([]string{"1", `"a,b"`, `{"c": [2]}`, "[]", "null"}, texts); !ok || diff != "" {
		t.Errorf("Elements: ok %v, (-want +got):\n%s", ok, diff)
	}
	for _, doc := range []string{`{}`, `[1, 2`, `[1 2]`, ``} {
		if _, ok := Elements([]byte(doc)); ok {
			t.Errorf("Elements(%s) ok", doc)
		}
	}
	if got, ok := Elements([]byte(`[]`)); !ok || len(got) != 0 {
		t.Errorf("Elements([]) = %v, %v", got, ok)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc, name, value string
		found            bool
	}{
		{doc: `{"resourceType": "Bundle", "entry": []}`, name: "resourceType", value: `"Bundle"`, found: true},
		{doc: `{"id": "x", "resourceType": "Appointment", "status": "boo`, name: "resourceType", value: `"Appointment"`, found: true},
		{doc: `{"appointments": [{"id": "x-1",`, name: "appointments", found: true},
		{doc: `{"id": "x", "resourceType": `, name: "resourceType", found: true},
		{doc: `{"id": [`, name: "resourceType"},
		{doc: `[{"resourceType": "Bundle"}]`, name: "resourceType"},
	}
	for _, tt := range tests {
		value, found := Lookup([]byte(tt.doc), tt.name)
		if string(value) != tt.value || found != tt.found {
			t.Errorf("Lookup(%s, %q) = %q, %v; want %q, %v", tt.doc, tt.name, value, found, tt.value, tt.found)
		}
	}
}

func TestKind(t *testing.T) {
	t.Parallel()
	got := map[string]string{}
	for _, v := range []string{`{}`, ` []`, `"x"`, `true`, `false`, `null`, `-1.5e3`, ``} {
		got[v] = Kind([]byte(v))
	}
	want := map[string]string{`{}`: "object", ` []`: "array", `"x"`: "string", `true`: "bool", `false`: "bool", `null`: "null", `-1.5e3`: "number", ``: ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Kind (-want +got):\n%s", diff)
	}
}
