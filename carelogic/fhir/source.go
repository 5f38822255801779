package fhir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
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
	// ID is the appointment's id, when the skipped thing is an appointment.
	ID string
	// Reason says why, e.g. "AppointmentResponse is not an Appointment or Bundle".
	Reason string
}

// ReadPath reads FHIR R4 JSON from path, a file or a directory, and returns a Source of its appointments.
//
// A file must hold an Appointment or a Bundle (see Decode). For a directory, every file whose name ends in .json
// (in any case) directly inside it is read, in name order, following symbolic links; subdirectories are not
// entered. A file in a
// directory that holds another resource type, such as an AppointmentResponse, is skipped and listed by Skipped
// rather than failing the read, since a folder of FHIR resources commonly holds more than appointments; a file
// named on its own must be an Appointment or Bundle.
//
// When the same appointment ID is read more than once (the snapshots of one appointment over its life, say), the
// copy with the latest meta.lastUpdated is kept, and on a tie or where there is none, the copy read last; the others
// are listed by Skipped. Appointments without an ID are all kept (Validate reports them).
//
// Any other problem (an unreadable file, bad JSON, a bad entry in a Bundle) fails the whole read with an error
// naming the file, so that a broken export is noticed rather than half-synced.
func ReadPath(path string, opts ...Option) (*Source, error) {
	o := newOptions(opts)
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	b := &sourceBuilder{o: o, byID: make(map[string]int)}
	if !info.IsDir() {
		if err := b.readFile(path, false); err != nil {
			return nil, err
		}
		return b.source(), nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	for _, e := range entries {
		if !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		file := filepath.Join(path, e.Name())
		if !e.Type().IsRegular() {
			// Follow symbolic links to files, as mounted configuration (a Kubernetes ConfigMap, say) uses them.
			info, err := os.Stat(file)
			if err != nil {
				return nil, fmt.Errorf("fhir: %w", err)
			}
			if !info.Mode().IsRegular() {
				continue
			}
		}
		if err := b.readFile(file, true); err != nil {
			return nil, err
		}
	}
	return b.source(), nil
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
		return carelogic.Appointment{}, fmt.Errorf("fhir: appointment %q: %w", id, carelogic.ErrNotFound)
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
	appts   []carelogic.Appointment
	paths   []string // file of each appointment
	byID    map[string]int
	skipped []Skip
}

func (b *sourceBuilder) readFile(path string, inDir bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("fhir: %w", err)
	}
	appts, err := decode(data, b.o)
	if err != nil {
		var de *DecodeError
		if inDir && errors.As(err, &de) && de.Entry < 0 && errors.Is(de, ErrUnsupportedResource) {
			reason := "resourceType is not a FHIR resource type name"
			if de.Resource != "" {
				reason = de.Resource + " is not an Appointment or Bundle"
			}
			b.skipped = append(b.skipped, Skip{Path: path, Reason: reason})
			return nil
		}
		setPath(err, path)
		return err
	}
	for _, a := range appts {
		b.add(a, path)
	}
	return nil
}

// setPath records path on every DecodeError in err, which may be a join of several.
func setPath(err error, path string) {
	var de *DecodeError
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		for _, err := range e.Unwrap() {
			setPath(err, path)
		}
	default:
		if errors.As(err, &de) {
			de.Path = path
		}
	}
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
