// Package sourcefile lists and reads the files of an EHR source given as a file or a folder, the same way for
// every reader (carelogic's JSON, FHIR, HL7 v2 SIU).
package sourcefile

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
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
func List(path string) (files []string, skipped int, single bool, err error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, 0, false, err
	}
	if !info.IsDir() {
		return []string{path}, 0, true, nil
	}
	entries, err := os.ReadDir(path)
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

// ReadJSON returns the content of file without a leading byte order mark. It leaves unread, returning ok false, a
// file found in a folder (not named) whose name does not end in .json and whose first bytes show that it is not a
// JSON object, so that a large file of another kind is not loaded into memory.
func ReadJSON(file string, named bool) (data []byte, ok bool, err error) {
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
	data, err = io.ReadAll(r)
	if err != nil {
		return nil, false, err
	}
	return bytes.TrimPrefix(data, BOM), true, nil
}
