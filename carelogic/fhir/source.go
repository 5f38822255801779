package fhir

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/internal/sourcefile"
)

// Source is a carelogic.Adapter over FHIR JSON read from files: the appointments of an export, a search result
// saved to disk, or a folder of resources dropped by an integration engine. It is built once by ReadPath, never
// changes, and is safe for concurrent use.
type Source struct {
	appts   []carelogic.Appointment // sorted by Start, then Key
	byID    map[string]int
	skipped []Skip
}

var _ carelogic.Adapter = (*Source)(nil)

// Skip records something ReadPath read but did not make an appointment of, and why.
type Skip struct {
	// Path is the file.
	Path string
	// ID is the appointment's id, as read, when the skipped thing is an appointment.
	ID string
	// Reason says why, e.g. "AppointmentResponse is not an Appointment or Bundle". It names files, resource types
	// of FHIR R4 and elements, never a value read from the input.
	Reason string
}

// ReadPath reads FHIR R4 JSON from path, a file or a folder, and returns a Source of its appointments.
//
// In a folder, it reads every file directly inside it (not in subfolders; links to files are followed), in name
// order, whose content is a JSON object with a resourceType of Appointment or Bundle (see Decode), after an
// optional UTF-8 byte order mark and white space, whatever the file's name. Other files are skipped: hidden ones
// (whose name starts with a dot) unread, and the rest, such as an AppointmentResponse or a file that is not JSON,
// listed by Skipped, since a folder of FHIR resources commonly holds more than appointments. A file named .json
// that is not valid JSON is not skipped but fails, as it may be an Appointment cut short. A file named on its own
// must be an Appointment or Bundle.
//
// When the same appointment ID is read more than once (the snapshots of one appointment over its life, say), the
// copy with the latest meta.lastUpdated is kept, and on a tie or where there is none, the copy read last; the others
// are listed by Skipped. Appointments without an ID are all kept (Validate reports them).
//
// A bad file does not stop the read: the Source gets the appointments of every other file, and those of a Bundle
// that decoded beside a bad entry. ReadPath then returns the Source together with a *carelogic.SourceError listing
// each file that could not be read or decoded, its error a *DecodeError (or several joined) naming the entry and
// element at fault. A caller that syncs such a partial Source must not take an appointment missing from it as
// deleted, as it may be in a failed file.
//
// When no file failed and no appointment was read, it returns the empty Source and a *carelogic.SourceError
// wrapping carelogic.ErrEmptySource. A path that does not exist, or a folder that cannot be listed, is an error with
// a nil Source.
//
// Its limits (see the package documentation): a folder of more than carelogic.MaxFolderFiles entries is an error
// with a nil Source; each file is decoded as Decode decodes one, and the files read take in at most
// carelogic.MaxSourceBytes together, a file's size checked before it is read; the Source holds at most
// carelogic.MaxAppointments appointments. A file that would pass one of the last two fails with an error wrapping
// carelogic.ErrLimit, none of its appointments kept, and the read goes on with the next file.
func ReadPath(path string, opts ...Option) (*Source, error) {
	files, skipped, single, err := sourcefile.List(path)
	if err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	b := &sourceBuilder{o: newOptions(opts), byID: make(map[string]int)}
	serr := &carelogic.SourceError{Path: path, Skipped: skipped}
	for _, file := range files {
		skip, err := b.readFile(file, single)
		if skip {
			serr.Skipped++
		}
		if err != nil {
			serr.Files = append(serr.Files, carelogic.FileError{Path: file, Err: err})
		}
	}
	src := b.source()
	if len(serr.Files) > 0 || len(src.appts) == 0 {
		return src, serr
	}
	return src, nil
}

// Appointments yields the appointments whose Start is in [from, to), in order of Start. Each is a copy the caller
// may change. Appointments without a start (a proposed appointment, say) are never yielded; see All.
func (s *Source) Appointments(ctx context.Context, from, to time.Time) iter.Seq2[carelogic.Appointment, error] {
	return func(yield func(carelogic.Appointment, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(carelogic.Appointment{}, err)
			return
		}
		i, _ := slices.BinarySearchFunc(s.appts, from, func(a carelogic.Appointment, t time.Time) int {
			return a.Start.Compare(t)
		})
		for ; i < len(s.appts) && s.appts[i].Start.Before(to); i++ {
			if err := ctx.Err(); err != nil {
				yield(carelogic.Appointment{}, err)
				return
			}
			if s.appts[i].Start.IsZero() {
				continue
			}
			if !yield(s.appts[i].Clone(), nil) {
				return
			}
		}
	}
}

// Appointment returns a copy of the appointment with the given ID, or an error wrapping carelogic.ErrNotFound.
func (s *Source) Appointment(ctx context.Context, id string) (carelogic.Appointment, error) {
	if err := ctx.Err(); err != nil {
		return carelogic.Appointment{}, err
	}
	i, ok := s.byID[id]
	if !ok {
		return carelogic.Appointment{}, fmt.Errorf("fhir: appointment %s: %w", redact.ID(id), carelogic.ErrNotFound)
	}
	return s.appts[i].Clone(), nil
}

// All yields a copy of every appointment read, including those without a start, in order of Start.
func (s *Source) All() iter.Seq[carelogic.Appointment] {
	return func(yield func(carelogic.Appointment) bool) {
		for _, a := range s.appts {
			if !yield(a.Clone()) {
				return
			}
		}
	}
}

// Skipped returns what ReadPath read but did not keep, in the order it was read.
func (s *Source) Skipped() []Skip {
	return slices.Clone(s.skipped)
}

// sourceBuilder collects appointments file by file.
type sourceBuilder struct {
	o       *options
	budget  sourcefile.Budget
	appts   []carelogic.Appointment
	paths   []string // file of each appointment
	byID    map[string]int
	skipped []Skip
}

// readFile adds the appointments of file. A file found in a folder (not named) that is not an Appointment or
// Bundle is not decoded but skipped; so is a blank one. A blank file named on its own is neither read nor skipped:
// it holds nothing.
func (b *sourceBuilder) readFile(file string, named bool) (skipped bool, err error) {
	data, ok, err := b.budget.ReadJSON(file, named)
	if err != nil {
		return false, err
	}
	reason := ""
	switch {
	case !ok:
		reason = "not JSON"
	case len(bytes.TrimSpace(data)) == 0:
		if named {
			return false, nil
		}
		reason = "empty file"
	case !named:
		reason = skipReason(file, data)
	}
	if reason != "" {
		b.skipped = append(b.skipped, Skip{Path: file, Reason: reason})
		return true, nil
	}
	appts, err := decode(data, b.o)
	if n := len(b.appts) + len(appts); n > carelogic.MaxAppointments {
		return false, &sourcefile.LimitError{Count: int64(n), Things: "appointments",
			Note: fmt.Sprintf("%d of them from the files read before", len(b.appts)), Limit: carelogic.MaxAppointments,
			Name: "carelogic.MaxAppointments"}
	}
	for _, a := range appts {
		b.add(a, file)
	}
	return false, err
}

// skipReason says why a file found in a folder is not decoded, or returns "" when it is: when it is an Appointment
// or Bundle, or is named .json but is not valid JSON, which may be an Appointment cut short.
func skipReason(file string, data []byte) string {
	rt := resourceType(data)
	switch {
	case rt == "Appointment" || rt == "Bundle":
		return ""
	case !json.Valid(data):
		if strings.EqualFold(filepath.Ext(file), ".json") {
			return ""
		}
		return "not JSON"
	case rt == "":
		return "not a FHIR resource: no resourceType"
	case !r4ResourceTypes[rt]:
		return "resourceType " + redact.Value(rt) + " is not a FHIR R4 resource type"
	}
	return rt + " is not an Appointment or Bundle"
}

// resourceType returns the resourceType of the JSON object in data, or "" when there is none. It reads the
// object's members in order and stops at the first syntax error, so that a file cut short after its resourceType
// is still known for what it is.
func resourceType(data []byte) string {
	v, _ := sourcefile.Lookup(data, "resourceType")
	var rt string
	if v == nil || json.Unmarshal(v, &rt) != nil {
		return ""
	}
	return rt
}

func (b *sourceBuilder) add(a carelogic.Appointment, path string) {
	if a.ID == "" {
		b.appts, b.paths = append(b.appts, a), append(b.paths, path)
		return
	}
	i, ok := b.byID[a.ID]
	if !ok {
		b.byID[a.ID] = len(b.appts)
		b.appts, b.paths = append(b.appts, a), append(b.paths, path)
		return
	}
	if a.UpdatedAt.Before(b.appts[i].UpdatedAt) {
		b.skipped = append(b.skipped, Skip{Path: path, ID: a.ID,
			Reason: "superseded by the copy in " + b.paths[i] + ", which has a later meta.lastUpdated"})
		return
	}
	b.skipped = append(b.skipped, Skip{Path: b.paths[i], ID: a.ID, Reason: "superseded by the copy in " + path})
	b.appts[i], b.paths[i] = a, path
}

func (b *sourceBuilder) source() *Source {
	appts := b.appts
	slices.SortStableFunc(appts, func(x, y carelogic.Appointment) int {
		return cmp.Or(x.Start.Compare(y.Start), strings.Compare(x.Key(), y.Key()))
	})
	byID := make(map[string]int, len(appts))
	for i, a := range appts {
		if a.ID != "" {
			byID[a.ID] = i
		}
	}
	return &Source{appts: appts, byID: byID, skipped: b.skipped}
}
