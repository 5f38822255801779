package siu

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

func TestReadPath(t *testing.T) {
	t.Parallel()
	good := func(id string) string { return strings.Replace(message("S12", "Booked", ""), "|F-1|", "|"+id+"|", 1) }
	// No filler id, and a client whose name and email must not reach an error.
	corrupt := strings.NewReplacer("|F-1|", "||", "Doe^Jane", "Zebulon^Quincy", "jane@example.org", "qz@example.net").
		Replace(message("S12", "Booked", ""))
	mixed := map[string]string{
		"a.hl7":         good("A-1"),
		"b.txt":         "\ufeff\x0b \r\n" + good("B-1") + "\x1c\r",
		"c":             good("C-1") + good("C-2"),
		"d-batch.dat":   "FHS|^~\\&|X\rBHS|^~\\&|X\r" + good("D-1") + "BTS|1\rFTS|1\r",
		"e-corrupt.txt": corrupt,
		"g-mixed.hl7":   good("G-1") + corrupt,
		"notes.txt":     "Zebulon Quincy <qz@example.net> called about the MSH segment",
		"msh.txt":       "MSHELL notes",
		".hidden.hl7":   good("H-1"),
		"sub/f.hl7":     good("F-1"),
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
			wantIDs: []string{"A-1", "B-1", "C-1", "C-2", "D-1", "G-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Skipped: 3, Files: []carelogic.FileError{
				{Path: "DIR/e-corrupt.txt", Err: ErrMissingField},
				{Path: "DIR/g-mixed.hl7", Err: ErrMissingField},
			}},
			text: "carelogic: DIR: 2 files could not be read, 3 other files skipped\n" +
				"DIR/e-corrupt.txt: siu: message 1: SCH-2.1 (segment 2): filler appointment id is missing\n" +
				"DIR/g-mixed.hl7: siu: message 2: SCH-2.1 (segment 2): filler appointment id is missing",
		},
		{
			name:    "good file named on its own",
			files:   mixed,
			path:    "c",
			wantIDs: []string{"C-1", "C-2"},
		},
		{
			name:    "corrupt file named on its own",
			files:   mixed,
			path:    "e-corrupt.txt",
			wantErr: &carelogic.SourceError{Path: "DIR/e-corrupt.txt", Files: []carelogic.FileError{{Path: "DIR/e-corrupt.txt", Err: ErrMissingField}}},
		},
		{
			name:    "other file named on its own",
			files:   mixed,
			path:    "notes.txt",
			wantErr: &carelogic.SourceError{Path: "DIR/notes.txt", Files: []carelogic.FileError{{Path: "DIR/notes.txt", Err: ErrSyntax}}},
			text: "carelogic: DIR/notes.txt: 1 file could not be read\n" +
				"DIR/notes.txt: siu: message 1: segment 1: message does not start with an MSH segment",
		},
		{
			name:    "empty folder",
			wantErr: &carelogic.SourceError{Path: "DIR"},
			text:    "carelogic: DIR: empty source: no appointments",
		},
		{
			name:    "folder of other files",
			files:   map[string]string{"notes.txt": mixed["notes.txt"], "msh.txt": mixed["msh.txt"], ".DS_Store": "x", "blank.hl7": "\r\n"},
			wantErr: &carelogic.SourceError{Path: "DIR", Skipped: 4},
			text:    "carelogic: DIR: empty source: no appointments (4 files skipped)",
		},
		{
			name:    "blank file named on its own",
			files:   map[string]string{"a.hl7": "\ufeff\x0b\n"},
			path:    "a.hl7",
			wantErr: &carelogic.SourceError{Path: "DIR/a.hl7"},
		},
		{
			// Named .hl7, it claims to be HL7: a damaged one is reported, not skipped.
			name:    "file named .hl7 that is not HL7",
			files:   map[string]string{"a.hl7": good("A-1"), "b.HL7": mixed["notes.txt"]},
			wantIDs: []string{"A-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Files: []carelogic.FileError{{Path: "DIR/b.HL7", Err: ErrSyntax}}},
		},
		{
			name:    "links followed, a broken one reported",
			files:   map[string]string{"a.hl7": good("A-1"), "sub/b.txt": good("B-1")},
			links:   map[string]string{"b": "sub/b.txt", "broken.hl7": "missing.hl7", "dir": "sub"},
			wantIDs: []string{"A-1", "B-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Files: []carelogic.FileError{{Path: "DIR/broken.hl7", Err: fs.ErrNotExist}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := sourcetest.WriteTree(t, tt.files, tt.links)
			f, err := ReadPath(filepath.Join(dir, tt.path))
			if f == nil {
				t.Fatalf("ReadPath returned a nil Feed with %v", err)
			}
			var ids []string
			for a, err := range f.Appointments(context.Background(), time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("appointments mismatch (-want +got):\n%s", diff)
			}
			sourcetest.CheckSourceError(t, err, tt.wantErr, tt.text, dir)
		})
	}
}

func TestReadPathMissing(t *testing.T) {
	t.Parallel()
	f, err := ReadPath(filepath.Join(t.TempDir(), "missing"))
	var serr *carelogic.SourceError
	if f != nil || !errors.Is(err, fs.ErrNotExist) || errors.As(err, &serr) {
		t.Errorf("ReadPath of a missing path = %v, %v; want nil and a plain error wrapping fs.ErrNotExist", f, err)
	}
}

// TestReadPathOptions checks that the options reach the messages of every file.
func TestReadPathOptions(t *testing.T) {
	t.Parallel()
	dir := sourcetest.WriteTree(t, map[string]string{"a": message("S12", "Booked", "")}, nil)
	f, err := ReadPath(dir, WithSource("clinic"), WithModality(carelogic.InPerson))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Appointment(context.Background(), "clinic/F-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Modality != carelogic.InPerson {
		t.Errorf("Modality = %q, want %q", got.Modality, carelogic.InPerson)
	}
}

// TestReadPathFixtureWithoutExtension reads a shared sample saved without an extension, as SIU exports often are.
func TestReadPathFixtureWithoutExtension(t *testing.T) {
	t.Parallel()
	dir := sourcetest.WriteTree(t, map[string]string{"SIU-S12-01": string(fixture(t, "SIU-S12-01.hl7"))}, nil)
	f, err := ReadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Appointment(context.Background(), fixtureKey)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantFixtures()["SIU-S12-01.hl7"].Appointment, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}
