package carelogic

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSourceErrorText(t *testing.T) {
	t.Parallel()
	bad := errors.New("bad: line one\nbad: line two")
	many := make([]FileError, 22)
	for i := range many {
		many[i] = FileError{Path: fmt.Sprintf("/in/f%02d", i), Err: errors.New("broken")}
	}
	long := FileError{Path: "/in/long", Err: errors.New(strings.TrimSuffix(strings.Repeat("problem\n", 12), "\n"))}
	tests := []struct {
		name string
		err  *SourceError
		want string
	}{
		{
			name: "empty folder",
			err:  &SourceError{Path: "/in"},
			want: "carelogic: /in: empty source: no appointments",
		},
		{
			name: "empty folder with other files",
			err:  &SourceError{Path: "/in", Skipped: 3},
			want: "carelogic: /in: empty source: no appointments (3 files skipped)",
		},
		{
			name: "one file failed, one skipped",
			err:  &SourceError{Path: "/in", Files: []FileError{{Path: "/in/a", Err: bad}}, Skipped: 1},
			want: "carelogic: /in: 1 file could not be read, 1 other file skipped\n/in/a: bad: line one\n/in/a: bad: line two",
		},
		{
			name: "two files failed, one without a cause",
			err:  &SourceError{Path: "/in", Files: []FileError{{Path: "/in/a", Err: fs.ErrPermission}, {Path: "/in/b"}}},
			want: "carelogic: /in: 2 files could not be read\n/in/a: permission denied\n/in/b: unknown error",
		},
		{
			name: "many files are cut at 20",
			err:  &SourceError{Path: "/in", Files: many},
			want: "carelogic: /in: 22 files could not be read\n" +
				listed(many[:20]) + "\nand 2 more files",
		},
		{
			name: "a long problem list is cut at 10 lines",
			err:  &SourceError{Path: "/in", Files: []FileError{long}},
			want: "carelogic: /in: 1 file could not be read\n" + strings.Repeat("/in/long: problem\n", 10) + "/in/long: and 2 more problems",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
				t.Errorf("Error() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// listed is what SourceError's text says of files, one line each.
func listed(files []FileError) string {
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = f.Path + ": " + f.Err.Error()
	}
	return strings.Join(lines, "\n")
}

func TestFileErrorText(t *testing.T) {
	t.Parallel()
	// Not cut: the whole text of one file's problems.
	fe := &FileError{Path: "/in/long", Err: errors.New(strings.TrimSuffix(strings.Repeat("p\n", 12), "\n"))}
	if diff := cmp.Diff(strings.TrimSuffix(strings.Repeat("/in/long: p\n", 12), "\n"), fe.Error()); diff != "" {
		t.Errorf("Error() mismatch (-want +got):\n%s", diff)
	}
}

func TestSourceErrorUnwrap(t *testing.T) {
	t.Parallel()
	cause := &ValidationError{ID: "a-1", Problems: []string{"id: missing"}}
	err := fmt.Errorf("reading: %w", &SourceError{Path: "/in", Files: []FileError{
		{Path: "/in/a", Err: fs.ErrNotExist},
		{Path: "/in/b", Err: fmt.Errorf("wrapped: %w", cause)},
	}})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("errors.Is does not reach the first file's cause")
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || ve != cause {
		t.Errorf("errors.As reached %v, want the second file's cause", ve)
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != "/in/a" {
		t.Errorf("errors.As reached %+v, want the first *FileError", fe)
	}
	if errors.Is(err, ErrEmptySource) {
		t.Error("a source with failed files matches ErrEmptySource")
	}
	if empty := fmt.Errorf("reading: %w", &SourceError{Path: "/in", Skipped: 2}); !errors.Is(empty, ErrEmptySource) {
		t.Error("a source with no failed file does not match ErrEmptySource")
	}
}
