// Package carelogic is the EHR side of the SDK: the appointment model that every EHR source produces (first
// target: Qualifacts CareLogic), with per-participant statuses, and the Adapter interface an integration
// implements to let the syncer read from, and optionally write back to, its EHR.
//
// An Appointment is one occurrence: a 1:1 (Individual) or a Group session at one start time, with a provider, a
// modality (Video or InPerson), an activity shown as the title in OnCall, and participants. Each participant has
// their own Status: Scheduled, Kept, DNS, CBT, CBC, Error, or a custom status such as "Checked-in", kept by name.
// A recurring series is a set of occurrences that share a SeriesID. Validate reports everything that would stop
// an appointment from being synced, naming fields, positions and ids but never a value from the appointment.
//
// This package imports nothing else of the SDK but its internal helpers, and makes no network calls. ReadJSON and
// WriteJSON work on a reader and a writer the caller supplies; ReadJSONPath reads a schedule file or a folder of
// them, reporting a file it cannot read in a *SourceError and going on with the others, as siu.ReadPath and
// fhir.ReadPath do.
//
// # Errors and privacy
//
// The text of every error of this package, and of the *SourceError lines of the path readers, is safe to log: it
// names fields (where a field's name is a plain lower-case word), positions, counts and ids (where an id looks like
// one: letters, digits and . _ : / # -, with a digit), and gives any other value from the input by its length
// only, as in "kind: (a value of 8 characters), must be ...". A shifted column that puts a client's name where a
// kind, a status or an id belongs never reaches a log. The values themselves stay in the typed fields
// (ValidationError.ID) and in the input.
//
// # Limits
//
// Every reader of the module holds its input to documented limits, so that a damaged or hostile input costs
// bounded memory and time and gives an error wrapping ErrLimit that names the limit and the count: at most
// MaxSourceBytes (64 MiB) read in one call, MaxFolderFiles entries in a folder, MaxAppointments appointments,
// MaxParticipants participants in one appointment, MaxJSONDepth levels of nesting and MaxJSONElements array
// elements in one JSON document, and MaxErrors problems kept in one error. The limits are checked before a
// document is decoded, and a file's size before it is read. Reading so takes at most a few times MaxSourceBytes of
// memory whatever the input: the tests hold ReadJSON to 6 × MaxSourceBytes for the costliest schedule within the
// limits (100,000 groups of ten clients, which decode to more than they weigh), and to 3 × MaxSourceBytes for
// inputs over them, measured at under 300 MiB and 130 MiB. The constants say why each value.
//
// # Adapters
//
// An integration implements Adapter over its EHR's API or feed, and the optional AppointmentWriter, StatusWriter
// and URLStore where the EHR accepts writes. Memory is an EHR held in memory that implements all four: tests and
// demos load it with NewMemory, make staff edits with Put and Delete, and read what the syncer wrote back with All.
//
// # Demo schedule
//
// DemoSchedule returns a schedule, relative to a given time, with every kind of appointment and every status the
// integration handles: 1:1s and groups (up to a full group of 25), on video and in person, weekly series of both,
// and each of Scheduled, Kept, DNS, CBT, CBC, Error and a custom "Checked-in". DemoEdits returns the same schedule
// after a round of edits by staff, one of each kind a syncer must carry: an email change, a provider, time and
// modality change, participant swaps on a 1:1 and in a group, status changes, a deletion and a new booking.
// DemoSchedule is what examples/sync syncs by default.
//
// # JSON schedule format
//
// ReadJSON and WriteJSON read and write a schedule as JSON, so that a schedule can be written by hand for a test
// or a demo (examples/sync reads one with -source json:FILE). A file is one object with an "appointments" array;
// each appointment is an object with these fields:
//
//   - "id" (required): the EHR's id of the occurrence.
//   - "source": the system it came from; appointments are told apart by source and id together.
//   - "series_id": shared by the occurrences of a recurring series.
//   - "kind" (required): "individual" or "group".
//   - "modality" (required): "video" or "in-person".
//   - "provider_id": the provider's staff id.
//   - "start" (required): an RFC 3339 time with its UTC offset, such as "2030-03-04T09:00:00-05:00" or
//     "2030-03-04T14:00:00Z". The offset is kept as written.
//   - "duration_minutes" (required): a positive whole number of minutes, such as 50. Minutes, not a Go duration
//     string, because EHRs book in minutes and the file is meant for people who do not write Go.
//   - "activity": the title shown in OnCall.
//   - "participants" (required): the clients, each an object with "client_id" (required), "name", "email" and
//     "status". An empty or absent status means Scheduled.
//   - "comments", "oncall_url": free text and the matching OnCall appointment's URL.
//   - "deleted": true for an occurrence removed from the EHR.
//   - "updated_at": when the EHR last changed the occurrence, as an RFC 3339 time.
//
// A complete example, a 1:1 and a group session in which one client has cancelled:
//
//	{
//	  "appointments": [
//	    {
//	      "id": "4410",
//	      "source": "carelogic",
//	      "kind": "individual",
//	      "modality": "video",
//	      "provider_id": "staff-101",
//	      "start": "2030-03-04T09:00:00-05:00",
//	      "duration_minutes": 50,
//	      "activity": "Individual Therapy",
//	      "participants": [
//	        {
//	          "client_id": "cl-1001",
//	          "name": "Avery Example",
//	          "email": "avery.example@example.com"
//	        }
//	      ]
//	    },
//	    {
//	      "id": "4502",
//	      "source": "carelogic",
//	      "series_id": "900",
//	      "kind": "group",
//	      "modality": "in-person",
//	      "provider_id": "staff-102",
//	      "start": "2030-03-05T18:00:00-05:00",
//	      "duration_minutes": 90,
//	      "activity": "DBT Skills Group",
//	      "participants": [
//	        {
//	          "client_id": "cl-2001",
//	          "name": "Blake Sample",
//	          "email": "blake.sample@example.org"
//	        },
//	        {
//	          "client_id": "cl-2002",
//	          "name": "Casey Placeholder",
//	          "email": "casey.placeholder@example.org",
//	          "status": "CBC"
//	        }
//	      ],
//	      "comments": "Client cancelled: travelling."
//	    }
//	  ]
//	}
//
// Reading is strict, so that a typo is an error rather than a silently different schedule. Field names must be
// spelled exactly as above, in lower case; an unknown field, or one given twice, is an error. Values are what
// the model holds, with two kindnesses: "kind", "modality" and CareLogic's six statuses may be written in any
// case ("Group", "In-Person", "dns"), and null counts as absent. Any other status is a custom status, kept
// exactly as written. Every appointment must pass Validate, and no two may share a source and id. An empty file
// is an error; a schedule with no appointments is written {"appointments": []}. ReadJSON reports every problem,
// one line per appointment, naming its index, id and field, and returns no appointments if there is any. A file
// holds at most MaxAppointments appointments of at most MaxParticipants participants each (see Limits).
//
// WriteJSON writes this form, indented, with empty optional fields left out; ReadJSON reads it back unchanged.
package carelogic
