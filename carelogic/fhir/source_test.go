package fhir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func collect(t *testing.T, seq func(yield func(carelogic.Appointment, error) bool)) ([]string, error) {
	t.Helper()
	var ids []string
	for a, err := range seq {
		if err != nil {
			return ids, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

func TestReadPathTestdata(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	src, err := ReadPath("testdata", WithDefaultModality(carelogic.InPerson))
	if err != nil {
		t.Fatal(err)
	}
	if s := src.Skipped(); len(s) != 0 {
		t.Errorf("Skipped = %v, want none", s)
	}
	var all []string
	for a := range src.All() {
		all = append(all, a.ID)
	}
	// Every appointment of every file, ordered by start.
	wantAll := []string{"weekly-1", "weekly-2", "weekly-3", "bg-1", "bg-2", "grp-2", "G-100", "cx-pat", "cx-prov", "cx-r5", "ct-1"}
	if diff := cmp.Diff(wantAll, all); diff != "" {
		t.Errorf("All mismatch (-want +got):\n%s", diff)
	}

	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{name: "February", from: utc(2026, 2, 1, 0, 0), to: utc(2026, 3, 1, 0, 0), want: []string{"bg-1", "bg-2"}},
		{name: "from is inclusive", from: utc(2026, 1, 13, 15, 0), to: utc(2026, 1, 20, 15, 0), want: []string{"weekly-2"}},
		{name: "to is exclusive", from: utc(2026, 1, 1, 0, 0), to: utc(2026, 1, 13, 15, 0), want: []string{"weekly-1"}},
		{name: "offsets compare as instants", from: utc(2026, 3, 10, 23, 0), to: utc(2026, 3, 10, 23, 1), want: []string{"G-100"}},
		{name: "empty window", from: utc(2026, 2, 1, 0, 0), to: utc(2026, 2, 1, 0, 0), want: nil},
		{name: "inverted window", from: utc(2027, 1, 1, 0, 0), to: utc(2026, 1, 1, 0, 0), want: nil},
		{name: "everything", from: time.Time{}, to: utc(9999, 1, 1, 0, 0), want: wantAll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := collect(t, src.Appointments(ctx, tt.from, tt.to))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Appointments mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("Appointment by id", func(t *testing.T) {
		t.Parallel()
		got, err := src.Appointment(ctx, "cx-prov")
		if err != nil {
			t.Fatal(err)
		}
		want := carelogic.Appointment{
			ID: "cx-prov", Source: "fhir", Kind: carelogic.Individual, Modality: carelogic.InPerson, ProviderID: "s-3",
			Start: utc(2026, 4, 2, 15, 0), Duration: time.Hour, Activity: "Psychotherapy, 60 minutes",
			Participants: []carelogic.Participant{{ClientID: "c-302", Status: carelogic.StatusCBT}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Appointment mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		_, err := src.Appointment(ctx, "nope-1")
		if !errors.Is(err, carelogic.ErrNotFound) {
			t.Errorf("error %v, want one wrapping carelogic.ErrNotFound", err)
		}
		if want := `fhir: appointment "nope-1": carelogic: appointment not found`; err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
	})

	t.Run("copies", func(t *testing.T) {
		t.Parallel()
		a, err := src.Appointment(ctx, "grp-2")
		if err != nil {
			t.Fatal(err)
		}
		a.Participants[0].Status = carelogic.StatusCBT
		for b, err := range src.Appointments(ctx, utc(2026, 3, 3, 0, 0), utc(2026, 3, 4, 0, 0)) {
			if err != nil {
				t.Fatal(err)
			}
			b.Participants[1].Status = carelogic.StatusCBT
		}
		got, err := src.Appointment(ctx, "grp-2")
		if err != nil {
			t.Fatal(err)
		}
		if got.Participants[0].Status != carelogic.StatusKept || got.Participants[1].Status != carelogic.StatusDNS {
			t.Errorf("changing a returned appointment changed the Source: statuses now %v", got.Participants)
		}
	})
}

func TestReadPathCancelled(t *testing.T) {
	t.Parallel()
	src, err := ReadPath("testdata")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ids, err := collect(t, src.Appointments(ctx, time.Time{}, utc(9999, 1, 1, 0, 0)))
	if !errors.Is(err, context.Canceled) || len(ids) != 0 {
		t.Errorf("Appointments on a cancelled context: ids %v, error %v; want none and context.Canceled", ids, err)
	}
	if _, err := src.Appointment(ctx, "grp-2"); !errors.Is(err, context.Canceled) {
		t.Errorf("Appointment on a cancelled context: error %v, want context.Canceled", err)
	}

	// Stopping early is honoured: yield is not called again.
	n := 0
	for range src.Appointments(t.Context(), time.Time{}, utc(9999, 1, 1, 0, 0)) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("loop ran %d times, want 1", n)
	}
}

func TestReadPathSupersede(t *testing.T) {
	t.Parallel()
	appt := func(status, lastUpdated string) string {
		meta := ""
		if lastUpdated != "" {
			meta = `"meta":{"lastUpdated":"` + lastUpdated + `"},`
		}
		return `{"resourceType":"Appointment","id":"a1",` + meta + `"status":"` + status + `","start":"2026-01-01T10:00:00Z","end":"2026-01-01T11:00:00Z","participant":[{"actor":{"reference":"Patient/p"}}]}`
	}
	noID := `{"resourceType":"Appointment","status":"booked","start":"2026-01-01T10:00:00Z"}`
	dir := writeFiles(t, map[string]string{
		"1-newer.json": appt("noshow", "2026-01-02T00:00:00Z"),
		"2-older.json": appt("booked", "2026-01-01T00:00:00+00:00"),
		"3-noid.json":  noID,
		"4-noid.JSON":  noID,
		"5-notes.txt":  "not read",
	})
	if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	// A link to a file is followed (here, to a third copy with no lastUpdated, which loses), a link to a
	// directory is not.
	other := writeFiles(t, map[string]string{"older.json": appt("cancelled", "")})
	if err := os.Symlink(filepath.Join(other, "older.json"), filepath.Join(dir, "6-link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, filepath.Join(dir, "7-dirlink.json")); err != nil {
		t.Fatal(err)
	}
	src, err := ReadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := src.Appointment(t.Context(), "a1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Participants[0].Status != carelogic.StatusDNS {
		t.Errorf("kept the copy with status %s, want the one with the later meta.lastUpdated (DNS)", got.Participants[0].Status)
	}
	newer := ", which has a later meta.lastUpdated"
	wantSkipped := []Skip{
		{Path: filepath.Join(dir, "2-older.json"), ID: "a1", Reason: "superseded by the copy in " + filepath.Join(dir, "1-newer.json") + newer},
		{Path: filepath.Join(dir, "5-notes.txt"), Reason: "not JSON"},
		{Path: filepath.Join(dir, "6-link.json"), ID: "a1", Reason: "superseded by the copy in " + filepath.Join(dir, "1-newer.json") + newer},
	}
	if diff := cmp.Diff(wantSkipped, src.Skipped()); diff != "" {
		t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
	}
	n := 0
	for a := range src.All() {
		if a.ID == "" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d appointments without an id kept, want 2", n)
	}
}

func TestReadPathErrors(t *testing.T) {
	t.Parallel()
	good := `{"resourceType":"Appointment","id":"a1","status":"booked"}`
	tests := []struct {
		name  string
		files map[string]string
		file  string // read this file rather than the directory
		want  string // error text, with DIR for the directory
		is    error
	}{
		{
			name:  "bad JSON in one file",
			files: map[string]string{"a.json": good, "b.json": `{"resourceType":`},
			want:  "carelogic: DIR: 1 file could not be read\nDIR/b.json: fhir: invalid JSON at byte offset 16",
		},
		{
			name:  "bad Appointment",
			files: map[string]string{"a.json": `{"resourceType":"Appointment","id":"a1","status":"nope"}`},
			want:  "carelogic: DIR: 1 file could not be read\n" + `DIR/a.json: fhir: Appointment "a1": status: not an R4 Appointment status code`,
		},
		{
			name:  "bad Bundle entry",
			files: map[string]string{"a.json": `{"resourceType":"Bundle","entry":[{"resource":` + good + `},{"resource":{"resourceType":"Appointment","id":"a2"}}]}`},
			want:  "carelogic: DIR: 1 file could not be read\n" + `DIR/a.json: fhir: Bundle entry[1]: Appointment "a2": status: missing (it is required)`,
		},
		{
			// Other JSON in a folder is skipped, so a folder of nothing else is empty.
			name:  "not a FHIR resource",
			files: map[string]string{"package.json": `{"name":"x"}`},
			want:  "carelogic: DIR: empty source: no appointments (1 file skipped)",
			is:    carelogic.ErrEmptySource,
		},
		{
			name:  "named file of another resource type",
			files: map[string]string{"p.json": `{"resourceType":"Patient","id":"p"}`},
			file:  "p.json",
			want:  "carelogic: DIR/p.json: 1 file could not be read\nDIR/p.json: fhir: Patient: not an Appointment or Bundle",
			is:    ErrUnsupportedResource,
		},
		{
			name:  "missing path",
			files: map[string]string{},
			file:  "missing.json",
			want:  "fhir: stat DIR/missing.json: no such file or directory",
			is:    fs.ErrNotExist,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files)
			path := dir
			if tt.file != "" {
				path = filepath.Join(dir, tt.file)
			}
			src, err := ReadPath(path)
			if err == nil {
				t.Fatalf("ReadPath succeeded with %d appointments", len(src.appts))
			}
			if want := strings.ReplaceAll(tt.want, "DIR", dir); err.Error() != want {
				t.Errorf("error\n got %q\nwant %q", err, want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v) = false", tt.is)
			}
		})
	}
}

func TestReadPathFolder(t *testing.T) {
	t.Parallel()
	appt := func(id string) string {
		return `{"resourceType":"Appointment","id":"` + id + `","status":"booked","start":"2026-01-01T10:00:00Z",` +
			`"end":"2026-01-01T11:00:00Z","participant":[{"actor":{"reference":"Patient/p"}}]}`
	}
	bundle := func(resources ...string) string {
		entries := make([]string, len(resources))
		for i, r := range resources {
			entries[i] = `{"resource":` + r + `}`
		}
		return `{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Join(entries, ",") + `]}`
	}
	// A bad status, and a client whose name and email must not reach an error.
	corrupt := `{"resourceType":"Appointment","id":"d-1","status":"nope","start":"2026-01-01T10:00:00Z",` +
		`"contained":[{"resourceType":"Patient","id":"p","name":[{"text":"Quincy Zebulon"}],` +
		`"telecom":[{"system":"email","value":"qz@example.net"}]}],"participant":[{"actor":{"reference":"#p"}}]}`
	mixed := map[string]string{
		"a.json":         appt("a-1"),
		"b.txt":          "\ufeff \n" + bundle(appt("b-1"), appt("b-2")),
		"c":              appt("c-1"),
		"cut.dat":        `{"resourceType":"Appointment","id":"x-1","sta`,
		"d-corrupt.json": corrupt,
		"e-bundle.txt":   bundle(appt("e-1"), `{"resourceType":"Appointment","id":"e-2"}`),
		"notes.txt":      "Quincy Zebulon <qz@example.net> asked about the Appointment",
		"package.json":   `{"name":"x","version":"1.0.0"}`,
		"resp.json":      `{"resourceType":"AppointmentResponse","id":"r","participantStatus":"accepted"}`,
		".hidden.json":   appt("h-1"),
		"sub/f.json":     appt("f-1"),
	}
	tests := []struct {
		name      string
		files     map[string]string
		links     map[string]string // link name to target, relative to the folder
		path      string            // read this, relative to the folder; the folder itself when empty
		wantIDs   []string
		wantSkips []Skip                 // with DIR for the folder in paths
		wantErr   *carelogic.SourceError // with DIR for the folder in paths; nil for no error
		text      string                 // when not empty, the error's text, with DIR for the folder
	}{
		{
			name:    "folder of good, corrupt and other files",
			files:   mixed,
			wantIDs: []string{"a-1", "b-1", "b-2", "c-1", "e-1"},
			wantSkips: []Skip{
				{Path: "DIR/notes.txt", Reason: "not JSON"},
				{Path: "DIR/package.json", Reason: "not a FHIR resource: no resourceType"},
				{Path: "DIR/resp.json", Reason: "AppointmentResponse is not an Appointment or Bundle"},
			},
			wantErr: &carelogic.SourceError{Path: "DIR", Skipped: 4, Files: []carelogic.FileError{
				{Path: "DIR/cut.dat", Err: sourcetest.ErrAnyCause},
				{Path: "DIR/d-corrupt.json", Err: sourcetest.ErrAnyCause},
				{Path: "DIR/e-bundle.txt", Err: sourcetest.ErrAnyCause},
			}},
			text: "carelogic: DIR: 3 files could not be read, 4 other files skipped\n" +
				"DIR/cut.dat: fhir: invalid JSON at byte offset 45\n" +
				`DIR/d-corrupt.json: fhir: Appointment "d-1": status: not an R4 Appointment status code` + "\n" +
				`DIR/e-bundle.txt: fhir: Bundle entry[1]: Appointment "e-2": status: missing (it is required)`,
		},
		{
			name:    "good file named on its own",
			files:   mixed,
			path:    "b.txt",
			wantIDs: []string{"b-1", "b-2"},
		},
		{
			name:    "corrupt file named on its own",
			files:   mixed,
			path:    "d-corrupt.json",
			wantErr: &carelogic.SourceError{Path: "DIR/d-corrupt.json", Files: []carelogic.FileError{{Path: "DIR/d-corrupt.json", Err: sourcetest.ErrAnyCause}}},
		},
		{
			name:    "other file named on its own",
			files:   mixed,
			path:    "resp.json",
			wantErr: &carelogic.SourceError{Path: "DIR/resp.json", Files: []carelogic.FileError{{Path: "DIR/resp.json", Err: ErrUnsupportedResource}}},
		},
		{
			name:    "empty folder",
			wantErr: &carelogic.SourceError{Path: "DIR"},
			text:    "carelogic: DIR: empty source: no appointments",
		},
		{
			name: "folder of other files",
			files: map[string]string{"notes.txt": mixed["notes.txt"], "package.json": mixed["package.json"],
				"resp.json": mixed["resp.json"], ".DS_Store": "x", "blank.json": "\ufeff\n"},
			wantSkips: []Skip{
				{Path: "DIR/blank.json", Reason: "empty file"},
				{Path: "DIR/notes.txt", Reason: "not JSON"},
				{Path: "DIR/package.json", Reason: "not a FHIR resource: no resourceType"},
				{Path: "DIR/resp.json", Reason: "AppointmentResponse is not an Appointment or Bundle"},
			},
			wantErr: &carelogic.SourceError{Path: "DIR", Skipped: 5},
			text:    "carelogic: DIR: empty source: no appointments (5 files skipped)",
		},
		{
			name:    "Bundle without appointments named on its own",
			files:   map[string]string{"b.json": bundle(`{"resourceType":"Patient","id":"p"}`)},
			path:    "b.json",
			wantErr: &carelogic.SourceError{Path: "DIR/b.json"},
		},
		{
			name:    "blank file named on its own",
			files:   map[string]string{"b.json": " "},
			path:    "b.json",
			wantErr: &carelogic.SourceError{Path: "DIR/b.json"},
		},
		{
			name:      "file named .json that is not JSON",
			files:     map[string]string{"a.json": appt("a-1"), "b.json": "Quincy Zebulon", "b.txt": "Quincy Zebulon"},
			wantIDs:   []string{"a-1"},
			wantSkips: []Skip{{Path: "DIR/b.txt", Reason: "not JSON"}},
			wantErr:   &carelogic.SourceError{Path: "DIR", Skipped: 1, Files: []carelogic.FileError{{Path: "DIR/b.json", Err: sourcetest.ErrAnyCause}}},
			text:      "carelogic: DIR: 1 file could not be read, 1 other file skipped\nDIR/b.json: fhir: invalid JSON at byte offset 1",
		},
		{
			name:    "links followed, a broken one reported",
			files:   map[string]string{"a.json": appt("a-1"), "sub/b": appt("b-1")},
			links:   map[string]string{"b": "sub/b", "broken.json": "missing.json", "dir": "sub"},
			wantIDs: []string{"a-1", "b-1"},
			wantErr: &carelogic.SourceError{Path: "DIR", Files: []carelogic.FileError{{Path: "DIR/broken.json", Err: fs.ErrNotExist}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := sourcetest.WriteTree(t, tt.files, tt.links)
			src, err := ReadPath(filepath.Join(dir, tt.path))
			if src == nil {
				t.Fatalf("ReadPath returned a nil Source with %v", err)
			}
			var ids []string
			for a := range src.All() {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("appointments mismatch (-want +got):\n%s", diff)
			}
			for i := range tt.wantSkips {
				tt.wantSkips[i].Path = strings.ReplaceAll(tt.wantSkips[i].Path, "DIR", dir)
			}
			if diff := cmp.Diff(tt.wantSkips, src.Skipped()); diff != "" {
				t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
			}
			sourcetest.CheckSourceError(t, err, tt.wantErr, tt.text, dir)
		})
	}
}

func TestReadPathMissing(t *testing.T) {
	t.Parallel()
	src, err := ReadPath(filepath.Join(t.TempDir(), "missing"))
	var serr *carelogic.SourceError
	if src != nil || !errors.Is(err, fs.ErrNotExist) || errors.As(err, &serr) {
		t.Errorf("ReadPath of a missing path = %v, %v; want nil and a plain error wrapping fs.ErrNotExist", src, err)
	}
}

func TestSourceConcurrentUse(t *testing.T) {
	t.Parallel()
	src, err := ReadPath("testdata")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for a, err := range src.Appointments(ctx, time.Time{}, utc(9999, 1, 1, 0, 0)) {
				if err != nil {
					t.Error(err)
					return
				}
				a.Participants = append(a.Participants[:0], carelogic.Participant{ClientID: "changed"})
				if _, err := src.Appointment(ctx, a.ID); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := src.Appointment(ctx, "bg-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Participants[0].ClientID != "p1" {
		t.Errorf("concurrent callers changed the Source: first client now %q", got.Participants[0].ClientID)
	}
}
