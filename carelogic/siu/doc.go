// Package siu reads HL7 v2 SIU (scheduling information unsolicited) messages and turns them into
// carelogic.Appointment snapshots, for EHRs that publish their schedule as an HL7 feed.
//
// It has three layers, each usable on its own:
//
//   - An ER7 reader: Parse reads one message and Reader reads a stream or file of several. Delimiters come from
//     MSH-1 and MSH-2; segments may end with CR, LF or CRLF; MLLP framing and batch envelopes are ignored.
//     Segment accessors take HL7's own 1-based field, repetition, component and subcomponent numbers, so
//     seg.Component(9, 2) of MSH is MSH-9.2, and decode escape sequences.
//   - Convert (or Decode, from bytes) reads one SIU message as a Snapshot: the appointment occurrence it
//     describes plus what is needed to order it against other messages.
//   - Feed applies snapshots in any order, with duplicates, and converges to one state per occurrence. It
//     implements carelogic.Adapter; ReadPath builds one from a file, or from a folder of files that hold SIU
//     messages whatever their names (.hl7, .txt or none): it tells files by their content, skips the others,
//     and reads every good file even when some are bad.
//
// Errors are *Error values that name the message, segment and field at fault and wrap one of ErrSyntax,
// ErrMissingField, ErrInvalidField, ErrUnsupportedEvent or ErrLimit. They never quote a field's value, so they
// carry no patient data: a code is shown only when it is a known HL7 message type or looks like an id (S18), and
// an id given to a lookup only when it looks like one, else its length. Garbage input gives an error, never a
// panic. ReadPath gathers the errors of a folder's files in one *carelogic.SourceError, which names each failed
// file and counts the skipped ones, and returns it with the Feed of everything else; a source with nothing to
// read is an error too, wrapping carelogic.ErrEmptySource, so that an empty folder is never taken for a schedule
// with no appointments.
//
// # Limits
//
// What a message may hold is bounded, so that a damaged or hostile file costs a few megabytes of memory and ends
// in an error, never in exhausting memory:
//
//	MaxSegmentBytes      1 MiB   bytes in one segment (a real SIU segment is well under 64 KiB)
//	MaxMessageSegments   5,000   segments in one message (a 25-client group session is a few hundred)
//	MaxMessageBytes      4 MiB   bytes in one message, its segments' lengths summed
//	MaxErrors            100     errors ApplyReader keeps for one stream or file, then one counting the rest
//
// Parse refuses a message over a limit, and a Reader skips it, without keeping the rest of it, up to the next
// MSH and goes on: the error, an *Error wrapping ErrLimit, names the limit and the count, as in
// "siu: message 3: NTE (segment 5): 17825796 bytes in one segment, over the limit of 1048576 (MaxSegmentBytes)".
// A Reader holds at most one message at a time, so reading a stream takes memory bounded by a small multiple of
// MaxMessageBytes whatever the stream's size; a Feed then holds what it keeps, about a kilobyte an appointment.
//
// # Field mapping
//
//	Appointment field   HL7 source
//	ID                  SCH-2 filler appointment id: EI.1, then "^" and EI.2 (namespace) when valued;
//	                    with an occurrence number SCH-3, "#" and that number is appended
//	Source              WithSource, else "MSH-3@MSH-4" (sending application and facility, HD.1 or HD.2)
//	SeriesID            SCH-24 parent filler id, else SCH-23 parent placer id (each written as ID is),
//	                    else SCH-2 itself when SCH-3 makes this message one occurrence of it
//	Kind                Group when the message has more than one PID, else Individual (WithKindFunc)
//	Modality            Video unless WithModality or WithModalityFunc say otherwise: HL7 v2 has no
//	                    standard telehealth field
//	ProviderID          AIP-3.1 of the first AIP that has one, else SCH-16.1 (filler contact person)
//	Start               TQ1-7, else SCH-11.4
//	Duration            end minus start, the end being TQ1-8 (or SCH-11.5 when the start came from
//	                    SCH-11); without an end, SCH-9 in SCH-10 units (seconds when SCH-10 is empty), else
//	                    TQ1-13, else the first AIS-7 in AIS-8 units; more than 31 days is an error
//	Activity            first AIS-3 text (component 2), else its code (component 1), else SCH-7, else SCH-8
//	Participants        one per PID, in order: ClientID PID-3.1 (first repetition), Name "given family"
//	                    from PID-5.2 and PID-5.1, Email from the first email among PID-13, PID-40, PID-14
//	Participant.Status  every participant gets the same status, mapped below
//	Comments            NTE-3 of the notes right after SCH and TQ1, one line per note
//	Deleted             true for S17, or for SCH-25 Deleted
//	UpdatedAt           MSH-7
//
// The trigger event comes from MSH-9.2, never from SCH-6 (senders put "Add" there on every event). Timestamps
// are read with ParseTime: one without a UTC offset is in the WithLocation zone, UTC by default. An end time
// always wins over a contradicting SCH-9/SCH-10 duration, as senders fill the withdrawn duration fields
// inconsistently (one public sample says 60 seconds for a 50-minute slot). The HL7 null `""` reads as empty.
//
// # Status mapping
//
// CareLogic keeps a status per client; an SIU message has one status for the whole appointment, so every
// participant gets it. The trigger event decides for S15, S16, S17 and S26, whatever SCH-25 says, because v2.3
// senders have been seen to send a cancellation whose SCH-25 still says BOOKED. For S12, S13 and S14 the filler
// status SCH-25 (HL7 table 0278, matched case-insensitively, so v2.3's BOOKED works) decides:
//
//	Event or SCH-25               Status            Why
//	S17, or Deleted               Error + Deleted   deletion means booked in error; OnCall removes the client
//	S26, or Noshow                DNS               the patient did not show up
//	S15, S16, or Cancelled, Dc    CBT               the filler (the clinic's system) cancelled or discontinued;
//	                                                HL7 has no standard code for who cancelled
//	  ... with SCH-6.1 CBC,       CBC               the event reason says the client cancelled (CareLogic's code,
//	  pat or pat-*                                  or FHIR's appointment-cancellation-reason codes)
//	Complete                      Kept              the appointment took place
//	Started                       Checked-in        in progress; a custom status, which OnCall does not sync
//	Booked, Pending, Waitlist,    Scheduled         booked or about to be; OnCall has no tentative state
//	Overbook, Blocked, empty
//	anything else                 kept as sent      an agency's own code, as a custom status
//
// WithStatusFunc replaces this mapping for feeds with their own codes.
//
// # Ordering and convergence
//
// A Feed keeps, for each occurrence (keyed by Appointment.Key), the message that ranks highest: first by the
// state it leaves the occurrence in (deleted over closed, i.e. cancelled, no-show or kept, over open), then by
// MSH-7, then by MSH-13, then by the trigger event's place in the lifecycle (S12, S13, S14, S15, S16, S26, S17),
// then by content hash. The result depends only on the set of messages applied, not on their order or on
// duplicates. The state comes first because clocks are wrong and deliveries late: a booking can never undo a
// deletion or a cancellation, whatever its timestamp, and a cancellation stamped decades early by a bad clock
// still cancels. A sender that re-books a cancelled id under the same filler id cannot be followed; it should
// book a new id, as most do. See Feed for the details.
//
// Message control ids (MSH-10) are not used to identify anything: senders reuse them. Two messages with the same
// source and filler id describe the same occurrence, even if their contents look like different appointments;
// the one that ranks higher wins.
package siu
