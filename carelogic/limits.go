package carelogic

import "github.com/oncallsync/oncall-go/internal/sourcefile"

// ErrLimit is wrapped by the error a reader returns when its input passes one of the documented limits below (or
// a limit of the reader's own package, such as fhir.MaxBundleEntries): ReadJSON, ReadJSONPath, fhir.Decode and
// fhir.ReadPath. The error's text names the limit and counts what passed it, never quoting the input, as in
//
//	carelogic: JSON schedule: appointments[3].participants: 5000 participants, over the limit of 1000 (carelogic.MaxParticipants)
//
// A read that passes a limit keeps nothing of the input at fault: ReadJSON returns no appointments, and a path
// reader reports the file in its *SourceError and goes on with the others.
var ErrLimit = sourcefile.ErrLimit

// The limits of the readers of this module, so that a damaged or hostile input (a file of junk, a Bundle of
// millions of tiny entries, an appointment listing a million clients, brackets nested a million deep) costs a
// bounded amount of memory and time and gives an error wrapping ErrLimit, rather than exhausting the machine.
// Each is far above what a real schedule holds. With them, reading costs at most a small multiple of
// MaxSourceBytes in memory whatever the input: see each reader.
//
// They are constants rather than options: no real schedule comes near them, and fixed limits make the memory a
// read can take a property of the module that its documentation states, not of each caller's settings.
const (
	// MaxSourceBytes bounds what one read takes in: 64 MiB, from the io.Reader given to ReadJSON, from one file,
	// or from all the files of a folder together (ReadJSONPath, fhir.ReadPath). A file's size is checked before
	// it is read, and every read stops one byte past what is left. A JSON schedule is some 300 bytes an
	// appointment, and a FHIR Appointment with its Patient a few kilobytes: 64 MiB holds a month of a large
	// agency's bookings, while a FHIR server pages a search result in far smaller Bundles.
	MaxSourceBytes = sourcefile.MaxSourceBytes
	// MaxFolderFiles bounds the entries of a folder that ReadJSONPath, fhir.ReadPath and siu.ReadPath read: 10,000,
	// of any kind. A folder over it is an error, read no further than the entry over the limit. An integration
	// engine's drop folder holds a file per message; 10,000 is weeks of them for a large clinic, and a folder
	// that holds more needs archiving, not reading whole on every sync.
	MaxFolderFiles = sourcefile.MaxFolderFiles
	// MaxAppointments bounds the appointments one read returns: 100,000, in one schedule (ReadJSON) or in all the
	// files of a path (ReadJSONPath, fhir.ReadPath). That is a month of bookings for an agency of 500 providers;
	// a sync looks at a window of weeks.
	MaxAppointments = 100_000
	// MaxParticipants bounds the participants one appointment lists in a source: 1,000. OnCall's own limit is
	// MaxGroupParticipants (25) clients not marked Error, which Validate applies; an EHR's group (a school
	// program, a webinar-style session, a group with years of Error rows) may list many more, and is read so that
	// Validate can report it, rather than refused as input. 1,000 bounds what one appointment can cost.
	MaxParticipants = 1_000
	// MaxJSONDepth bounds the nesting of arrays and objects in a JSON document: 64 levels. The schedule format
	// nests 5 deep and a FHIR Bundle with contained resources and nested extensions some 15.
	MaxJSONDepth = 64
	// MaxJSONElements bounds the array elements in one JSON document, whatever they hold: 1,000,000. Decoding
	// allocates for every element of an array it keeps (a FHIR identifier, coding or name, a schedule's
	// participant), some 50 to 100 bytes each, so that this limit, not only MaxSourceBytes, bounds the memory a
	// document of a few bytes an element (`[{},{},...]`) could take. A real document has one element to every
	// 70 bytes or more, fewer than a million in 64 MiB.
	MaxJSONElements = 1_000_000
	// MaxErrors bounds the problems an error keeps: 100. ReadJSON keeps the first 100 invalid appointments and
	// counts the rest, each with at most 100 problems; fhir.DecodeBundle keeps the first 100 bad entries. The text
	// of an error, and what it holds, so stays bounded however broken the input.
	MaxErrors = 100
)
