package redact

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestName(t *testing.T) {
	tests := map[string]string{
		"emr_id":                      `"emr_id"`,
		"custom_field_452":            `"custom_field_452"`,
		"JaneRoe":                     "(a value of 7 characters)",
		"jane@example.org":            "(a value of 16 characters)",
		"Jane Roe":                    "(a value of 8 characters)",
		"_x":                          "(a value of 2 characters)",
		"":                            `""`,
		strings.Repeat("a", MaxLen):   `"` + strings.Repeat("a", MaxLen) + `"`,
		strings.Repeat("a", MaxLen+1): "(a value of 65 characters)",
		"é":                           "(a value of 1 character)",
	}
	got := map[string]string{}
	for in := range tests {
		got[in] = Name(in)
	}
	if d := cmp.Diff(tests, got); d != "" {
		t.Errorf("Name (-want +got):\n%s", d)
	}
}

func TestID(t *testing.T) {
	tests := map[string]string{
		"12345":             `"12345"`,
		"A1234":             `"A1234"`,
		"carelogic/778-2":   `"carelogic/778-2"`,
		"JaneRoe":           "(a value of 7 characters)",
		"Jane Roe 2":        "(a value of 10 characters)",
		"jane2@example.org": "(a value of 17 characters)",
		"-1":                "(a value of 2 characters)",
		"12^CL":             "(a value of 5 characters)",
		"":                  `""`,
	}
	got := map[string]string{}
	for in := range tests {
		got[in] = ID(in)
	}
	if d := cmp.Diff(tests, got); d != "" {
		t.Errorf("ID (-want +got):\n%s", d)
	}
}

func TestPath(t *testing.T) {
	tests := map[string]string{
		"/appointments/7/":            "/appointments/7/",
		"/api/V2/contacts/12/":        "/api/V2/contacts/12/",
		"/":                           "/",
		"":                            "",
		"/contacts/jane@example.org/": "(a path of 27 characters)",
		"/search/Jane Roe/":           "(a path of 17 characters)",
		"/JaneRoe/":                   "(a path of 9 characters)",
	}
	got := map[string]string{}
	for in := range tests {
		got[in] = Path(in)
	}
	if d := cmp.Diff(tests, got); d != "" {
		t.Errorf("Path (-want +got):\n%s", d)
	}
}
