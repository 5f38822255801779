// Package phitest holds the module's privacy checks for tests: patient-looking values to plant in input, and a
// check that none of them comes back in an error's text, its %+v form or a Debug-level log line.
package phitest

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Names, Emails and Phones look like patient data. Tests plant them wherever input can carry a value (names,
// statuses, kinds, field names, notes, bodies); none may appear in any text the module writes. Phone numbers are
// written with spaces or parentheses, as an id that happens to be all digits cannot be told from a phone number.
var (
	Names  = []string{"Jane Roe", "JaneRoe", "Zebulon Quincy", "Quincy"}
	Emails = []string{"jane.roe@example.org", "zq@example.net"}
	Phones = []string{"(416) 555-0199", "+1 212 555 1542"}
)

// All returns Names, Emails and Phones in one list.
func All() []string {
	var all []string
	all = append(all, Names...)
	all = append(all, Emails...)
	return append(all, Phones...)
}

// Texts returns every text v is shown as in logs and reports: %v, %+v, its Error text if it is an error, and the
// lines a Debug-level slog text and JSON handler write for it. (%#v is left out: it dumps an error's fields, such
// as an APIError's Body, which hold the values on purpose.)
func Texts(v any) []string {
	out := []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v)}
	if err, ok := v.(error); ok && err != nil {
		out = append(out, err.Error())
	}
	var buf bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	slog.New(slog.NewTextHandler(&buf, opts)).Debug("check", "value", v)
	slog.New(slog.NewJSONHandler(&buf, opts)).Debug("check", "value", v)
	return append(out, buf.String())
}

// Check fails t for every planted value (All, and extra) found in any of texts. label names what was checked.
func Check(t testing.TB, label string, texts []string, extra ...string) {
	t.Helper()
	for _, text := range texts {
		for _, phi := range append(All(), extra...) {
			if strings.Contains(text, phi) {
				t.Errorf("%s: text repeats planted value %q:\n%s", label, phi, text)
			}
		}
	}
}

// CheckValue is Check(t, label, Texts(v), extra...).
func CheckValue(t testing.TB, label string, v any, extra ...string) {
	t.Helper()
	Check(t, label, Texts(v), extra...)
}
