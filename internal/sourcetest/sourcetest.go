// Package sourcetest holds what the tests of the EHR source readers (carelogic's JSON, carelogic/fhir,
// carelogic/siu) share: a folder written from a map, and the check of a *carelogic.SourceError. Only tests import
// it.
package sourcetest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
)

// ErrAnyCause stands, in a wanted FileError, for whatever error the reader gave.
var ErrAnyCause = errors.New("any cause")

// EquateCauses compares the causes in FileErrors by errors.Is rather than by text, ErrAnyCause matching any error.
var EquateCauses = cmp.Comparer(func(x, y error) bool {
	if x == ErrAnyCause || y == ErrAnyCause {
		return x != nil && y != nil
	}
	return errors.Is(x, y) || errors.Is(y, x)
})

// PlantedPHI is planted in the tests' bad and unrelated files: no error text may repeat it.
var PlantedPHI = []string{"Quincy", "Zebulon", "qz@example.net"}

// WriteTree writes files (names may hold a folder) and links (to targets relative to the folder) into a new
// folder and returns it.
func WriteTree(t testing.TB, files, links map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range links {
		if err := os.Symlink(filepath.Join(dir, target), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// CheckSourceError checks err against want (with DIR for dir in its paths) and text, and that it repeats nothing
// of PlantedPHI. A nil want means no error.
func CheckSourceError(t testing.TB, err error, want *carelogic.SourceError, text, dir string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("error = %v, want none", err)
		}
		return
	}
	var got *carelogic.SourceError
	if !errors.As(err, &got) {
		t.Fatalf("error = %v, want a *carelogic.SourceError", err)
	}
	want.Path = strings.ReplaceAll(want.Path, "DIR", dir)
	for i := range want.Files {
		want.Files[i].Path = strings.ReplaceAll(want.Files[i].Path, "DIR", dir)
	}
	if diff := cmp.Diff(*want, *got, EquateCauses); diff != "" {
		t.Errorf("SourceError mismatch (-want +got):\n%s", diff)
	}
	if isEmpty := errors.Is(err, carelogic.ErrEmptySource); isEmpty != (len(want.Files) == 0) {
		t.Errorf("errors.Is(err, ErrEmptySource) = %v with %d failed files", isEmpty, len(want.Files))
	}
	if text != "" {
		if diff := cmp.Diff(strings.ReplaceAll(text, "DIR", dir), err.Error()); diff != "" {
			t.Errorf("error text mismatch (-want +got):\n%s", diff)
		}
	}
	for _, phi := range PlantedPHI {
		if strings.Contains(err.Error(), phi) {
			t.Errorf("error text repeats %q from a file:\n%s", phi, err)
		}
	}
}

// MaxErrorText bounds the text of any error a hostile input gives a reader: the limits name counts, never the
// input, and a source's errors are cut at carelogic.MaxErrors.
const MaxErrorText = 64 << 10

// ErrText is err's text, or "" for nil.
func ErrText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// CheckHostile checks the outcome of reading a hostile input: the one appointment it holds when ok, or an error
// of bounded text, repeating nothing of the input, that wraps carelogic.ErrLimit when limit (a limit was passed).
func CheckHostile(t testing.TB, appts int, err error, ok, limit bool) {
	t.Helper()
	if ok != (err == nil) || ok && appts != 1 {
		t.Errorf("%d appointments, error %.200v", appts, err)
	}
	if got := errors.Is(err, carelogic.ErrLimit); got != limit {
		t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", got, limit)
	}
	if n := len(ErrText(err)); n > MaxErrorText {
		t.Errorf("error text is %d bytes, want at most %d", n, MaxErrorText)
	}
	if strings.Contains(ErrText(err), "Jane Roe") {
		t.Errorf("error text repeats a field name from the input")
	}
}
