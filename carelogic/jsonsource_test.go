package carelogic_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

func scheduleOf(ids ...string) string {
	appts := make([]string, len(ids))
	for i, id := range ids {
		appts[i] = carelogic.WithField("id", `"`+id+`"`)
	}
	return carelogic.Schedule(appts...)
}

func TestReadJSONPath(t *testing.T) {
	t.Parallel()
	corrupt := carelogic.Schedule(strings.NewReplacer(`"a-1"`, `"d-1"`, `"video"`, `"carrier-pigeon"`,
		"Secret Name", "Quincy Zebulon", "secret@example.com", "qz@example.net").Replace(carelogic.OkAppt))
	mixed := map[string]string{
		"a.json":         scheduleOf("a-1"),
		"b.txt":          "\ufeff\n  " + scheduleOf("b-1", "b-2"),
		"c":              scheduleOf("c-1"),
		"d-corrupt.json": corrupt,
		"notes.txt":      "Call Quincy Zebulon <qz@example.net> about the schedule",
		"package.json":   `{"name": "x", "version": "1.0.0"}`,
		".hidden.json":   scheduleOf("h-1"),
		"sub/e.json":     scheduleOf("e-1"),
	}
	tests := []struct {
		name    string
		files   map[string]string
		links   map[string]string // link name to target, relative to the folder
		path    string            // read this, relative to the folder; the folder itself when empty
		wantIDs []string
		wantErr *carelogic.SourceError // with DIR for the folder in paths; nil for no error
		text    string                 // when not empty, the error's text, with DIR for the folder
	}{
		{
			name:    "folder of good, corrupt and other files",
			files:   mixed,
			wantIDs: []string{"a-1", "b-1", "b-2", "c-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Files: []carelogic.FileError{{Path: "DIR/d-corrupt.json", Err: carelogic.ErrUnsupportedModality}}, Skipped: 3},
			text: "carelogic: DIR: 1 file could not be read, 3 other files skipped\n" +
				`DIR/d-corrupt.json: carelogic: JSON schedule: appointments[0] (id "d-1"): modality: (a value of 14 characters): modality not supported by OnCall`,
		},
		{
			name:    "good file named on its own",
			files:   mixed,
			path:    "c",
			wantIDs: []string{"c-1"},
		},
		{
			name:    "corrupt file named on its own",
			files:   mixed,
			path:    "d-corrupt.json",
			wantErr: &carelogic.SourceError{Path: "DIR/d-corrupt.json", Files: []carelogic.FileError{{Path: "DIR/d-corrupt.json", Err: carelogic.ErrUnsupportedModality}}},
		},
		{
			name:    "other file named on its own",
			files:   mixed,
			path:    "notes.txt",
			wantErr: &carelogic.SourceError{Path: "DIR/notes.txt", Files: []carelogic.FileError{{Path: "DIR/notes.txt", Err: sourcetest.ErrAnyCause}}},
			text:    "carelogic: DIR/notes.txt: 1 file could not be read\nDIR/notes.txt: carelogic: JSON schedule: not valid JSON at line 1, column 1: unexpected letter",
		},
		{
			name:    "empty folder",
			wantErr: &carelogic.SourceError{Path: "DIR"},
			text:    "carelogic: DIR: empty source: no appointments",
		},
		{
			name:    "folder of other files",
			files:   map[string]string{"notes.txt": mixed["notes.txt"], "package.json": mixed["package.json"], ".DS_Store": "x", "blank.json": " \n"},
			wantErr: &carelogic.SourceError{Path: "DIR", Skipped: 4},
			text:    "carelogic: DIR: empty source: no appointments (4 files skipped)",
		},
		{
			name:    "schedule without appointments",
			files:   map[string]string{"s.json": `{"appointments": []}`},
			path:    "s.json",
			wantErr: &carelogic.SourceError{Path: "DIR/s.json"},
		},
		{
			name:    "blank file named on its own",
			files:   map[string]string{"s.json": "\ufeff\r\n"},
			path:    "s.json",
			wantErr: &carelogic.SourceError{Path: "DIR/s.json"},
		},
		{
			// Cut short: a .json file, or one that got as far as "appointments", fails; other text is skipped. A
			// file named .json that is not JSON fails too.
			name: "files cut short",
			files: map[string]string{
				"a.json":   scheduleOf("a-1"),
				"cut.json": `{"appoint`,
				"cut.txt":  `{"appointments": [{"id": "x-1",`,
				"cut.log":  `{"appoint`,
				"x.json":   "Quincy Zebulon",
			},
			wantIDs: []string{"a-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Skipped: 1, Files: []carelogic.FileError{
				{Path: "DIR/cut.json", Err: sourcetest.ErrAnyCause}, {Path: "DIR/cut.txt", Err: sourcetest.ErrAnyCause}, {Path: "DIR/x.json", Err: sourcetest.ErrAnyCause},
			}},
		},
		{
			// The later file repeats a-1: all of it is left out, as ReadJSON leaves out a file that repeats an id.
			name:    "appointment repeated across files",
			files:   map[string]string{"1.json": scheduleOf("a-1"), "2.json": scheduleOf("b-1", "a-1")},
			wantIDs: []string{"a-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Files: []carelogic.FileError{{Path: "DIR/2.json", Err: sourcetest.ErrAnyCause}}},
			text:    "carelogic: DIR: 1 file could not be read\n" + `DIR/2.json: carelogic: JSON schedule: appointments[1] (id "a-1"): id: also in DIR/1.json`,
		},
		{
			name:    "links followed, a broken one reported",
			files:   map[string]string{"a.json": scheduleOf("a-1"), "sub/b.json": scheduleOf("b-1")},
			links:   map[string]string{"b.json": "sub/b.json", "broken.json": "missing.json", "dir": "sub"},
			wantIDs: []string{"a-1", "b-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Files: []carelogic.FileError{{Path: "DIR/broken.json", Err: fs.ErrNotExist}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := sourcetest.WriteTree(t, tt.files, tt.links)
			got, err := carelogic.ReadJSONPath(filepath.Join(dir, tt.path))
			var ids []string
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("appointments mismatch (-want +got):\n%s", diff)
			}
			sourcetest.CheckSourceError(t, err, tt.wantErr, tt.text, dir)
		})
	}
}

func TestReadJSONPathMissing(t *testing.T) {
	t.Parallel()
	got, err := carelogic.ReadJSONPath(filepath.Join(t.TempDir(), "missing"))
	var serr *carelogic.SourceError
	if got != nil || !errors.Is(err, fs.ErrNotExist) || errors.As(err, &serr) {
		t.Errorf("ReadJSONPath of a missing path = %v, %v; want nil and a plain error wrapping fs.ErrNotExist", got, err)
	}
}
