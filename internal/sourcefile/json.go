package sourcefile

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// This file is the JSON scanning that the JSON readers (carelogic's schedule format, carelogic/fhir) share: a
// check of a document's shape against limits before it is decoded, since encoding/json would build whatever the
// document holds, and access to the members of an object and the elements of an array as slices of the document
// itself, so that a large document is not copied once per level.

// Limit is one limit of a JSON document's shape, and the name of the exported constant that documents it. A zero
// Max is no limit.
type Limit struct {
	Max  int
	Name string
}

// ArrayLimit limits the arrays held by members of one name.
type ArrayLimit struct {
	// Member is the name of the member that holds the array. It is matched without regard to ASCII case, as
	// encoding/json matches a struct's fields, so that no spelling of it escapes the limit.
	Member string
	// Things says what the elements are called in the error, such as "participants".
	Things string
	Limit
}

// Shape is what CheckJSON holds a document to.
type Shape struct {
	// Depth bounds the nesting of arrays and objects.
	Depth Limit
	// Elements bounds the array elements in the whole document: what decoding into slices allocates for, whatever
	// each element holds.
	Elements Limit
	// Arrays bounds particular arrays.
	Arrays []ArrayLimit
}

// CheckJSON returns a *LimitError for the first limit of s that data passes, or nil. It scans data once and
// allocates little whatever data holds. It is meant to run before data is decoded: it does not check the JSON
// grammar, and it stops at the first byte that shows data is not JSON (a closing bracket with nothing open, a
// string cut short), leaving the decoder to report that.
//
// The error names the array at fault by its path, such as "appointments[3].participants", with member names shown
// only where they match redact.IsName, and counts the whole array; nesting is reported at its byte offset, and the
// whole document's elements when the count passes the limit.
func CheckJSON(data []byte, s Shape) error {
	var stack []frame
	total := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if isSpace(c) {
			continue
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = &stack[n-1]
		}
		if top != nil && top.array && !top.started && c != ']' && c != ',' {
			top.started = true
			top.count++
			total++
			if top.limit != nil && top.count > top.limit.Max {
				return arrayError(stack, data, i)
			}
			if s.Elements.Max > 0 && total > s.Elements.Max {
				return &LimitError{AtLeast: true, Things: "array elements in the document", Limit: int64(s.Elements.Max),
					Name: s.Elements.Name}
			}
		}
		switch c {
		case '"':
			end := stringEnd(data, i)
			if end < 0 {
				return nil
			}
			if top != nil && !top.array && !top.inValue {
				top.key = data[i:end]
			}
			i = end - 1
		case ':':
			if top != nil && !top.array {
				top.inValue = true
			}
		case ',':
			if top != nil {
				top.started, top.inValue = false, false
			}
		case '{', '[':
			if s.Depth.Max > 0 && len(stack) >= s.Depth.Max {
				return &LimitError{AtLeast: true, Things: "levels of nesting", Note: "at byte offset " + strconv.Itoa(i),
					Limit: int64(s.Depth.Max), Name: s.Depth.Name}
			}
			f := frame{array: c == '['}
			if f.array && top != nil && !top.array && top.inValue {
				f.limit = s.arrayLimit(top.key)
			}
			stack = append(stack, f)
		case '}', ']':
			if len(stack) == 0 {
				return nil
			}
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

// frame is an array or object that CheckJSON is inside.
type frame struct {
	array   bool
	started bool        // array: an element has started since the last comma
	count   int         // array: the elements so far
	limit   *ArrayLimit // array: its limit, if any
	inValue bool        // object: past the colon of the current member
	key     []byte      // object: the name of the current member, quoted as written
}

func (s *Shape) arrayLimit(key []byte) *ArrayLimit {
	name := decodeName(key)
	for i := range s.Arrays {
		if strings.EqualFold(name, s.Arrays[i].Member) {
			return &s.Arrays[i]
		}
	}
	return nil
}

// arrayError reports the array at the top of stack, whose element starting at data[i] is one over its limit. It
// counts the elements left, so that the error gives the array's size.
func arrayError(stack []frame, data []byte, i int) *LimitError {
	top := stack[len(stack)-1]
	count := int64(top.count)
	depth := 0
	for j := i; j < len(data); j++ {
		switch data[j] {
		case '"':
			end := stringEnd(data, j)
			if end < 0 {
				j = len(data)
				break
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			if depth == 0 {
				count++
			}
		}
		if depth < 0 {
			break
		}
	}
	var path strings.Builder
	parent := len(stack) - 2 // the object that holds the array: its member is named as the limit names it
	for i, f := range stack[:len(stack)-1] {
		switch {
		case i == parent:
			if path.Len() > 0 {
				path.WriteByte('.')
			}
			path.WriteString(top.limit.Member)
		case f.array:
			path.WriteString("[" + strconv.Itoa(f.count-1) + "]")
		case f.key != nil:
			if path.Len() > 0 {
				path.WriteByte('.')
			}
			if name := decodeName(f.key); redact.IsName(name) {
				path.WriteString(name)
			} else {
				path.WriteString(redact.Value(name))
			}
		}
	}
	return &LimitError{Where: path.String(), Count: count, Things: top.limit.Things, Limit: int64(top.limit.Max),
		Name: top.limit.Name}
}

// EachMember calls f with the name and value of each member of the JSON object obj in the order written, repeats
// included, until f returns false. The name has its escapes undone; the value is a slice of obj rather than a
// copy, and so is the name where it has no escapes, so that f can switch on string(name) without allocating. It
// reports whether obj is an object read to its end: it checks brackets and strings, not the grammar inside values,
// as obj is meant to have passed json.Valid.
func EachMember(obj []byte, f func(name, value []byte) bool) bool {
	ok := true
	done := eachMember(obj, func(name, value []byte) bool {
		if value == nil {
			ok = false
			return false
		}
		return f(unquote(name), value)
	})
	return ok && done
}

// Lookup returns the value of the first member of the JSON object obj named name, reading the members in order
// and stopping at the first that is not well formed, so that a document cut short after that member still has
// it. found is true when the name was seen; value is nil when its value is cut short.
func Lookup(obj []byte, name string) (value []byte, found bool) {
	eachMember(obj, func(n, v []byte) bool {
		if string(unquote(n)) == name {
			value, found = v, true
			return false
		}
		return v != nil
	})
	return value, found
}

// eachMember calls f with the name (quoted as written) and value of each member of obj in order, the value nil
// when it is cut short or malformed, until f returns false. It reports whether obj is an object read to its end.
func eachMember(obj []byte, f func(name, value []byte) bool) bool {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return true
	}
	for i < len(obj) {
		if obj[i] != '"' {
			return false
		}
		end := stringEnd(obj, i)
		if end < 0 {
			return false
		}
		name := obj[i:end]
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		i = skipSpace(obj, i+1)
		vend := valueEnd(obj, i)
		if vend < 0 {
			f(name, nil)
			return false
		}
		if !f(name, obj[i:vend]) {
			return false
		}
		i = skipSpace(obj, vend)
		if i < len(obj) && obj[i] == '}' {
			return true
		}
		if i >= len(obj) || obj[i] != ',' {
			return false
		}
		i = skipSpace(obj, i+1)
	}
	return false
}

// EachElement calls f with the index and value of each element of the JSON array arr, the value a slice of arr
// rather than a copy, until f returns false. It reports whether arr is an array read to its end (see EachMember).
func EachElement(arr []byte, f func(i int, value []byte) bool) bool {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return false
	}
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return true
	}
	for n := 0; i < len(arr); n++ {
		end := valueEnd(arr, i)
		if end < 0 {
			return false
		}
		if !f(n, arr[i:end]) {
			return false
		}
		i = skipSpace(arr, end)
		if i < len(arr) && arr[i] == ']' {
			return true
		}
		if i >= len(arr) || arr[i] != ',' {
			return false
		}
		i = skipSpace(arr, i+1)
	}
	return false
}

// Elements returns the elements of the JSON array arr as EachElement reads them.
func Elements(arr []byte) (elements [][]byte, ok bool) {
	ok = EachElement(arr, func(_ int, v []byte) bool {
		elements = append(elements, v)
		return true
	})
	if !ok {
		return nil, false
	}
	return elements, true
}

// Kind names the kind of the JSON value v, as encoding/json's errors do: "object", "array", "string", "number",
// "bool" or "null"; "" for nothing.
func Kind(v []byte) string {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// valueEnd returns the index just past the value that starts at data[i], or -1 when it is cut short or does not
// start a value. It matches brackets and skips strings, without checking the grammar in between.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end := stringEnd(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	case '}', ']', ',', ':':
		return -1
	}
	j := i
	for j < len(data) && !isSpace(data[j]) && !isDelim(data[j]) {
		j++
	}
	return j
}

// stringEnd returns the index just past the string whose opening quote is data[i], or -1 when it is cut short.
func stringEnd(data []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		backslashes := 0
		for b := q - 1; b > i && data[b] == '\\'; b-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// decodeName returns the text of the JSON string quoted, as written, with its escapes undone.
func decodeName(quoted []byte) string { return string(unquote(quoted)) }

// unquote returns the text of the JSON string quoted, as written, with its escapes undone: a slice of quoted where
// there are none.
func unquote(quoted []byte) []byte {
	if len(quoted) < 2 {
		return nil
	}
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return inner
	}
	return []byte(s)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDelim(c byte) bool { return c == ',' || c == ']' || c == '}' || c == ':' }
