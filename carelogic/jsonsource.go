package carelogic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/oncallsync/oncall-go/internal/sourcefile"
)

// ReadJSONPath reads the JSON schedule format (see the package documentation) from path, a file or a folder of
// schedule files, and returns their appointments in file order.
//
// In a folder, it reads every file directly inside it (not in subfolders; links to files are followed) whose
// content is a JSON object with an "appointments" member, whatever the file's name, in name order. Other files,
// and hidden ones (whose name starts with a dot), are skipped and counted. A file named .json that is not valid
// JSON (cut short while being written, say) is not skipped but fails, as it may be a broken schedule. A file
// named on its own is read as a schedule whatever it holds.
//
// Each file is read as ReadJSON reads one: all of it or none of it. A file that cannot be read, that ReadJSON
// refuses, or that repeats an appointment (the same Source and ID) of a file read before it is left out, and the
// other files are still read: ReadJSONPath returns their appointments together with a *SourceError listing the
// failed files. A caller that syncs such a partial schedule must not take an appointment missing from it as
// deleted, as it may be in a failed file.
//
// When no file failed and none held an appointment, it returns no appointments and a *SourceError wrapping
// ErrEmptySource. A path that does not exist, or a folder that cannot be listed, is an error with no
// appointments.
//
// Its limits: a folder of more than MaxFolderFiles entries is an error with no appointments; each file is read
// as ReadJSON reads one, and all the files read take in at most MaxSourceBytes together (a file's size is checked
// before it is read); the appointments of all files number at most MaxAppointments. A file that would pass one of
// the last two fails with an error wrapping ErrLimit, its appointments left out, and the read goes on with the
// next. Memory so stays within a few times MaxSourceBytes whatever the folder holds.
func ReadJSONPath(path string) ([]Appointment, error) {
	files, skipped, single, err := sourcefile.List(path)
	if err != nil {
		return nil, fmt.Errorf("carelogic: %w", err)
	}
	serr := &SourceError{Path: path, Skipped: skipped}
	var appts []Appointment
	var budget sourcefile.Budget
	firstFile := make(map[string]string) // by Appointment.Key, the file that holds it
	for _, file := range files {
		data, ok, err := budget.ReadJSON(file, single)
		switch {
		case err != nil:
			serr.Files = append(serr.Files, FileError{Path: file, Err: err})
			continue
		case single && isBlankJSON(data):
			continue // an empty source
		case !ok || isBlankJSON(data) || !single && !looksLikeSchedule(file, data):
			serr.Skipped++
			continue
		}
		got, err := decodeSchedule(data)
		if err == nil && len(appts)+len(got) > MaxAppointments {
			err = &sourcefile.LimitError{Count: int64(len(appts) + len(got)), Things: "appointments",
				Note: fmt.Sprintf("%d of them from the files read before", len(appts)), Limit: MaxAppointments,
				Name: "carelogic.MaxAppointments"}
		}
		if err == nil {
			err = repeatedAppointments(got, file, firstFile)
		}
		if err != nil {
			serr.Files = append(serr.Files, FileError{Path: file, Err: err})
			continue
		}
		appts = append(appts, got...)
	}
	if len(serr.Files) > 0 || len(appts) == 0 {
		return appts, serr
	}
	return appts, nil
}

// repeatedAppointments reports the appointments of file that an earlier file already holds, as ReadJSON reports
// a repeat within one file; otherwise it records where each appointment is.
func repeatedAppointments(appts []Appointment, file string, firstFile map[string]string) error {
	var bad []*entryError
	for i := range appts {
		if other, dup := firstFile[appts[i].Key()]; dup {
			bad = append(bad, &entryError{index: i, verr: &ValidationError{ID: appts[i].ID, Problems: []string{"id: also in " + other}}})
		}
	}
	if len(bad) > 0 {
		return &scheduleError{entries: bad}
	}
	for _, a := range appts {
		firstFile[a.Key()] = file
	}
	return nil
}

// looksLikeSchedule reports whether a file found in a folder is read as a schedule: a JSON object with an
// "appointments" member, or a file named .json that is not valid JSON, which may be a schedule cut short. The
// members are read in order up to the first syntax error, so that a file cut short after "appointments" counts.
func looksLikeSchedule(file string, data []byte) bool {
	data = bytes.TrimPrefix(data, sourcefile.BOM)
	if _, found := sourcefile.Lookup(data, "appointments"); found {
		return true
	}
	return strings.EqualFold(filepath.Ext(file), ".json") && !json.Valid(data)
}

// isBlankJSON reports whether data holds nothing but a byte order mark and white space.
func isBlankJSON(data []byte) bool {
	return len(bytes.TrimSpace(bytes.TrimPrefix(data, sourcefile.BOM))) == 0
}
