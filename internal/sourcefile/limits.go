package sourcefile

import (
	"errors"
	"strconv"
)

// The limits every file reader of the module shares. carelogic exports them (carelogic.MaxSourceBytes,
// carelogic.MaxFolderFiles) with the reasons for their values; they are defined here because carelogic imports
// this package, and List must apply MaxFolderFiles for every reader.
const (
	// MaxSourceBytes bounds what one read takes in: one reader, one file, or all the files of a folder together.
	MaxSourceBytes = 64 << 20
	// MaxFolderFiles bounds the entries of a folder that List lists.
	MaxFolderFiles = 10_000
)

// ErrLimit is wrapped by every *LimitError. carelogic exports it as carelogic.ErrLimit; it is defined here, where
// the shared limits are applied, so that the limit errors of every reader match the one sentinel.
var ErrLimit = errors.New("carelogic: input over a limit")

// LimitError says that input passed a limit. Its text is made of counts and the limit's name, never of the input:
//
//	[Where: ]Count Things[, Note], over the limit of Limit (Name)
//	[Where: ]more than Limit Things[, Note], over the limit (Name)       (AtLeast)
type LimitError struct {
	// Where names the place: a path chosen by the operator, or an element path such as "entry[3].resource".
	Where string
	// Count is how many Things there are; when AtLeast, the reader stopped counting at Limit.
	Count   int64
	AtLeast bool
	// Things says what was counted: "bytes", "participants", "levels of nesting".
	Things string
	// Note adds counts that explain the Count, such as bytes read before from the same folder.
	Note  string
	Limit int64
	// Name is the exported constant that documents the limit, such as "carelogic.MaxSourceBytes".
	Name string
}

func (e *LimitError) Error() string {
	s := ""
	if e.Where != "" {
		s = e.Where + ": "
	}
	if e.AtLeast {
		s += "more than " + strconv.FormatInt(e.Limit, 10) + " " + e.Things
	} else {
		s += strconv.FormatInt(e.Count, 10) + " " + e.Things
	}
	if e.Note != "" {
		s += ", " + e.Note
	}
	if e.AtLeast {
		return s + ", over the limit (" + e.Name + ")"
	}
	return s + ", over the limit of " + strconv.FormatInt(e.Limit, 10) + " (" + e.Name + ")"
}

// Unwrap returns ErrLimit.
func (e *LimitError) Unwrap() error { return ErrLimit }
