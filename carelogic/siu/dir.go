package siu

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/sourcefile"
)

// ReadPath returns a Feed of every message read from path, a file or a folder, converted with opts. A file may
// hold several messages, and batch envelopes (see Reader).
//
// In a folder, it reads every file directly inside it (not in subfolders; links to files are followed) whose
// content starts with an HL7 v2 message or batch, whatever the file's name: after an optional UTF-8 byte order
// mark, MLLP start byte and white space, an MSH, FHS or BHS segment. Other files, and hidden ones (whose name
// starts with a dot), are skipped and counted, except that a file named .hl7 that does not start so fails, as a
// damaged SIU file would. A file named on its own is read whatever it holds.
//
// A malformed message does not stop the read: the Feed gets every message that converts, from every file,
// including the good messages of a file that also holds a bad one. ReadPath then returns the Feed together with
// a *carelogic.SourceError listing each file that could not be read or holds a bad message; for the latter the
// file's error joins one *Error per bad message, naming the message, segment and field at fault, never a value
// (at most MaxErrors of them, then one counting the rest). A message over a limit (see the package documentation)
// is one such bad message: the file's other messages are read.
// A caller that syncs such a partial Feed must not take an appointment missing from it as deleted, as it may be
// in a failed file.
//
// When no file failed and no message was read, it returns the empty Feed and a *carelogic.SourceError wrapping
// carelogic.ErrEmptySource. A path that does not exist, or a folder that cannot be listed, is an error with a nil
// Feed.
func ReadPath(path string, opts ...Option) (*Feed, error) {
	files, skipped, single, err := sourcefile.List(path)
	if err != nil {
		return nil, fmt.Errorf("siu: %w", err)
	}
	f := NewFeed(opts...)
	serr := &carelogic.SourceError{Path: path, Skipped: skipped}
	for _, file := range files {
		skip, err := f.applyFile(file, single)
		if skip {
			serr.Skipped++
		}
		if err != nil {
			serr.Files = append(serr.Files, carelogic.FileError{Path: file, Err: err})
		}
	}
	if len(serr.Files) > 0 || f.Len() == 0 {
		return f, serr
	}
	return f, nil
}

// ReadDir reads the folder dir as ReadPath does, and is kept for callers written before ReadPath, which also
// takes a single file (given one, ReadDir reads it too).
func ReadDir(dir string, opts ...Option) (*Feed, error) {
	return ReadPath(dir, opts...)
}

// sniffSize is how much of a file is looked at to decide whether it holds HL7 v2.
const sniffSize = 4096

// applyFile applies the messages of file. A file found in a folder (not named) that does not start with an HL7 v2
// message, and is not named .hl7, is not read but reported as skipped; so is a blank one. A blank file named on
// its own is neither read nor skipped: it holds nothing.
func (f *Feed) applyFile(file string, named bool) (skipped bool, err error) {
	fh, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	r := bufio.NewReaderSize(fh, sniffSize)
	head, err := r.Peek(sniffSize)
	if err != nil && err != io.EOF {
		return false, err
	}
	rest := trimLead(head)
	switch {
	case isMessageStart(rest):
		// Start the Reader at the segment sniffed, as it would not take a byte order mark after a blank line.
		_, _ = r.Discard(len(head) - len(rest))
	case len(rest) == 0 && err == io.EOF:
		return !named, nil
	case !named && !strings.EqualFold(filepath.Ext(file), ".hl7"):
		return true, nil
	}
	return false, f.ApplyReader(r)
}

// trimLead removes what may come before a file's first segment: a UTF-8 byte order mark, MLLP start bytes and
// white space.
func trimLead(data []byte) []byte {
	return bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), "\x0b \t\r\n")
}

// isMessageStart reports whether data starts with an MSH segment, or the FHS or BHS header of a batch, followed
// by a field separator.
func isMessageStart(data []byte) bool {
	if len(data) < 4 || !isDelimiter(data[3]) {
		return false
	}
	switch string(data[:3]) {
	case "MSH", "FHS", "BHS":
		return true
	}
	return false
}
