package carelogic

import (
	"errors"
	"strconv"
	"strings"
)

// ErrEmptySource is wrapped by the error a file reader (ReadJSONPath, siu.ReadPath, fhir.ReadPath) returns, with
// its empty result, when the path it was given holds no appointment at all and no file failed: an empty folder, a
// folder of other files, or a file that holds none. A syncer given an empty schedule as if it were current could
// take every appointment it synced before as removed; this error lets a caller tell the two apart.
var ErrEmptySource = errors.New("carelogic: empty source")

// The error text lists at most this many failed files, and this many lines of each one's problems; Unwrap still
// gives every one.
const (
	maxSourceFiles     = 20
	maxSourceFileLines = 10
)

// SourceError is the error a file reader (ReadJSONPath, siu.ReadPath, fhir.ReadPath) returns, together with what
// it could read, when some files of a folder could not be read, or when the path held nothing to read (then Files
// is empty and the error wraps ErrEmptySource).
//
// Its text names each failed file by path and says what is wrong as its reader reports it, never quoting the
// file's content: the readers' own errors name messages, segments, fields, positions, counts and ids that look
// like ids, and give any other value by its length (see the package documentation), so the text is safe to log.
// It lists at most 20 files of 10 lines each, so that its length is bounded too; a folder holds at most
// MaxFolderFiles of them.
type SourceError struct {
	// Path is the file or folder that was read.
	Path string
	// Files are the files that could not be read, or not in full, in the order they were read.
	Files []FileError
	// Skipped counts the files left alone because they do not hold the reader's format (or are hidden).
	Skipped int
}

// Error returns a first line naming Path and counting the failed and skipped files, then one line per problem,
// each starting with the failed file's path. At most 20 files and 10 lines per file are listed.
func (e *SourceError) Error() string {
	var b strings.Builder
	b.WriteString("carelogic: ")
	b.WriteString(e.Path)
	if len(e.Files) == 0 {
		b.WriteString(": empty source: no appointments")
		if e.Skipped > 0 {
			b.WriteString(" (" + plural(e.Skipped, "file") + " skipped)")
		}
		return b.String()
	}
	b.WriteString(": " + plural(len(e.Files), "file") + " could not be read")
	if e.Skipped > 0 {
		b.WriteString(", " + plural(e.Skipped, "other file") + " skipped")
	}
	for i := range e.Files {
		if i == maxSourceFiles {
			b.WriteString("\nand " + plural(len(e.Files)-i, "more file"))
			break
		}
		for _, line := range e.Files[i].lines(maxSourceFileLines) {
			b.WriteByte('\n')
			b.WriteString(line)
		}
	}
	return b.String()
}

// Unwrap returns each of Files (as a *FileError), or ErrEmptySource when there are none.
func (e *SourceError) Unwrap() []error {
	if len(e.Files) == 0 {
		return []error{ErrEmptySource}
	}
	errs := make([]error, len(e.Files))
	for i := range e.Files {
		errs[i] = &e.Files[i]
	}
	return errs
}

// FileError is one file of a SourceError: a file that could not be opened or read, or that holds something
// malformed. A reader still returns what it could read from the rest of such a file where its format is a list of
// independent records (SIU messages, FHIR Bundle entries); see each reader.
type FileError struct {
	// Path is the file's path.
	Path string
	// Err is what went wrong, as the reader reports it: an *fs.PathError, a *siu.Error, a *fhir.DecodeError, an
	// error joining several of them, and so on.
	Err error
}

// Error returns Err's text with Path before each of its lines.
func (e *FileError) Error() string {
	return strings.Join(e.lines(-1), "\n")
}

// Unwrap returns Err.
func (e *FileError) Unwrap() error { return e.Err }

// lines returns the error's text as lines that each start with the path, at most limit of them (and a last line
// counting the others) when limit is not negative.
func (e *FileError) lines(limit int) []string {
	text := "unknown error"
	if e.Err != nil {
		text = e.Err.Error()
	}
	lines := strings.Split(text, "\n")
	more := 0
	if limit >= 0 && len(lines) > limit {
		lines, more = lines[:limit], len(lines)-limit
	}
	out := make([]string, 0, len(lines)+1)
	for _, l := range lines {
		out = append(out, e.Path+": "+l)
	}
	if more > 0 {
		out = append(out, e.Path+": and "+plural(more, "more problem"))
	}
	return out
}

// plural returns n and noun, made plural when n is not 1.
func plural(n int, noun string) string {
	s := strconv.Itoa(n) + " " + noun
	if n != 1 {
		s += "s"
	}
	return s
}
