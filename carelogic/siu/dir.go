package siu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ReadDir returns a Feed of every message in the .hl7 files of dir (not its subdirectories), converted with
// opts. A file may hold several messages (see Reader). Like os.ReadDir, it returns what it could read along
// with any error: a Feed of every good message, and the errors of the bad ones joined, each an *Error naming
// the file, the message's position in it and the segment and field at fault.
func ReadDir(dir string, opts ...Option) (*Feed, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("siu: reading directory: %w", err)
	}
	f := NewFeed(opts...)
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".hl7") {
			continue
		}
		if err := f.applyFile(dir, e.Name()); err != nil {
			errs = append(errs, err)
		}
	}
	return f, errors.Join(errs...)
}

func (f *Feed) applyFile(dir, name string) error {
	file, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("siu: %w", err)
	}
	defer file.Close()
	err = f.ApplyReader(file)
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for i, e := range errs {
		var perr *Error
		if errors.As(e, &perr) {
			perr.File = name
		} else {
			errs[i] = fmt.Errorf("siu: %s: %w", name, e)
		}
	}
	return errors.Join(errs...)
}
