// Package sourcefile lists and reads the files of an EHR source given as a file or a folder, the same way for
// every reader (carelogic's JSON, FHIR, HL7 v2 SIU), within the limits they share: at most MaxFolderFiles entries
// in a folder, and at most MaxSourceBytes read in one call, from one file or from all the files of a folder. It
// also holds the small JSON scanner the JSON readers share (json.go): a check of a document's shape against
// limits before it is decoded, and zero-copy access to the members of an object and the elements of an array.
package sourcefile

import (
	"bufio"
	"bytes"
	"cmp"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SniffSize is how much of a file found in a folder is looked at before it is read in full.
const SniffSize = 4096

// BOM is the UTF-8 byte order mark some exports start with.
var BOM = []byte("\ufeff")

// List lists the files a reader of path reads. For a file, it is path itself, and single is true. For a folder,
// it is the files directly inside it in name order, following links; hidden files (whose name starts with a dot)
// and anything that is not a regular file (a device, a pipe) are left out and counted in skipped, subfolders and
// links to them are left out uncounted, and a link that cannot be followed is listed, for its reader to report.
//
// A folder of more than MaxFolderFiles entries (of any kind) is an error wrapping ErrLimit: it is read in batches
// and given up at the first entry over the limit, so that a huge folder costs neither the time nor the memory of
// listing it.
func List(path string) (files []string, skipped int, single bool, err error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, 0, false, err
	}
	if !info.IsDir() {
		return []string{path}, 0, true, nil
	}
	entries, err := readDir(path)
	if err != nil {
		return nil, 0, false, err
	}
	for _, e := range entries {
		file := filepath.Join(path, e.Name())
		mode := e.Type()
		if mode&os.ModeSymlink != 0 {
			if info, err := os.Stat(file); err == nil {
				mode = info.Mode().Type()
			}
		}
		switch {
		case mode.IsDir():
		case strings.HasPrefix(e.Name(), ".") || !mode.IsRegular() && mode&os.ModeSymlink == 0:
			skipped++
		default:
			files = append(files, file)
		}
	}
	return files, skipped, false, nil
}

// readDir returns the entries of the folder dir sorted by name, as os.ReadDir does, or an error wrapping ErrLimit
// once there are more than MaxFolderFiles.
func readDir(dir string) ([]os.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []os.DirEntry
	for {
		batch, err := f.ReadDir(1024)
		entries = append(entries, batch...)
		if len(entries) > MaxFolderFiles {
			return nil, &LimitError{Where: dir, AtLeast: true, Things: "entries in the folder", Limit: MaxFolderFiles,
				Name: "carelogic.MaxFolderFiles"}
		}
		if err == io.EOF || err == nil && len(batch) == 0 {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return cmp.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// Budget is what one read of a file or a folder may still take in of MaxSourceBytes. The zero value is a whole
// budget. A Budget is not safe for concurrent use.
type Budget struct {
	used int64 // bytes read so far
}

// ReadJSON returns the content of file without a leading byte order mark. It leaves unread, returning ok false, a
// file found in a folder (not named) whose name does not end in .json and whose first bytes show that it is not a
// JSON object, so that a large file of another kind is not loaded into memory.
//
// A file it reads counts against the budget. A file larger than what is left of it (MaxSourceBytes less what
// the files read before took) is an error wrapping ErrLimit, found from the file's size before it is read, and
// while it is read, should it grow; the budget is then unchanged, so that smaller files after it may still be read.
func (b *Budget) ReadJSON(file string, named bool) (data []byte, ok bool, err error) {
	fh, err := os.Open(file)
	if err != nil {
		return nil, false, err
	}
	defer fh.Close()
	r := bufio.NewReaderSize(fh, SniffSize)
	head, err := r.Peek(SniffSize)
	if err != nil && err != io.EOF {
		return nil, false, err
	}
	lead := bytes.TrimLeft(bytes.TrimPrefix(head, BOM), " \t\r\n")
	if !named && len(lead) > 0 && lead[0] != '{' && !strings.EqualFold(filepath.Ext(file), ".json") {
		return nil, false, nil
	}
	left := MaxSourceBytes - b.used
	var size int64
	if info, err := fh.Stat(); err == nil && info.Mode().IsRegular() {
		size = info.Size()
	}
	if size > left {
		return nil, false, b.overBudget(size, false)
	}
	data, over, err := readAtMost(r, left, size)
	switch {
	case err != nil:
		return nil, false, err
	case over:
		return nil, false, b.overBudget(left+1, true)
	}
	b.used += int64(len(data))
	return bytes.TrimPrefix(data, BOM), true, nil
}

// overBudget is the error for a file of size bytes (or more, when atLeast) that does not fit what is left.
func (b *Budget) overBudget(size int64, atLeast bool) *LimitError {
	e := &LimitError{Count: size, Things: "bytes", Limit: MaxSourceBytes, Name: "carelogic.MaxSourceBytes"}
	if b.used > 0 {
		e.Note = "with " + strconv.FormatInt(b.used, 10) + " bytes read before from the same folder"
		if atLeast {
			e.Things = "bytes or more"
		}
		return e
	}
	e.AtLeast = atLeast
	return e
}

// ReadAll reads r to the end, or up to MaxSourceBytes: input beyond that is an error wrapping ErrLimit, with
// nothing more read than the one byte over.
func ReadAll(r io.Reader) ([]byte, error) {
	var hint int64
	switch r := r.(type) {
	case interface{ Len() int }:
		hint = int64(r.Len())
	case interface{ Stat() (os.FileInfo, error) }:
		if info, err := r.Stat(); err == nil && info.Mode().IsRegular() {
			hint = info.Size()
		}
	}
	data, over, err := readAtMost(r, MaxSourceBytes, hint)
	if err != nil {
		return nil, err
	}
	if over {
		return nil, &LimitError{AtLeast: true, Things: "bytes", Limit: MaxSourceBytes, Name: "carelogic.MaxSourceBytes"}
	}
	return data, nil
}

// readAtMost reads r to the end, or up to limit bytes and then one more, whichever comes first; over says there
// was more. size, when positive, is how much r is expected to hold, so that the buffer is allocated once;
// otherwise it doubles, but never past limit, so that reading costs at most one and a half times the limit while
// the last doubling copies.
func readAtMost(r io.Reader, limit, size int64) (data []byte, over bool, err error) {
	capacity := min(bytes.MinRead, limit)
	if size > 0 {
		capacity = min(size+1, limit) // one more, to see the end without growing
	}
	buf := make([]byte, 0, capacity)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) == limit {
				var one [1]byte
				n, err := io.ReadFull(r, one[:])
				switch {
				case n > 0:
					return nil, true, nil
				case err == io.EOF:
					return buf, false, nil
				}
				return nil, false, err
			}
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), limit))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}
