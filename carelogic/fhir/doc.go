// Package fhir turns FHIR R4 Appointment resources, alone or in a Bundle, into carelogic appointments, and offers
// a carelogic.Adapter over FHIR JSON files.
//
// It reads JSON only, with its own small structs for the elements it uses (no FHIR library): every other element
// is ignored, so resources from any server, profile or converter decode as long as the elements read here are well
// formed. A few R5 elements are accepted under their R5 names, and R5 elements carried in R4 by the HL7
// cross-version extensions (http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment.*) are read too.
//
// The entry points are:
//
//   - [Decode], for a document that is an Appointment or a Bundle;
//   - [DecodeAppointment] and [DecodeBundle], for when the caller knows which;
//   - [ReadPath], which reads a file or a folder of them into a [Source], the carelogic.Adapter that
//     examples/sync uses for -source fhir:PATH.
//
// Options set the Source name ([WithSource]), which identifier systems carry the appointment, client and staff
// ids ([WithIdentifierSystem], [WithPatientIdentifierSystem], [WithProviderIdentifierSystem]) and how modality is
// decided ([WithDefaultModality], [WithModalityCode]).
//
// Decoding does not validate: an appointment the resource describes only in part decodes, and
// carelogic.Appointment.Validate says what stops it from syncing. Decoding fails only where the input is not a
// well-formed FHIR resource in the elements read: bad JSON, a missing or unknown status, a malformed instant, an
// end before the start. Nothing here panics, logs or prints, and everything is safe for concurrent use.
//
// # Field mapping
//
// Each carelogic.Appointment field comes from the Appointment resource as follows; the first source that has a
// value wins.
//
//	ID            1. identifier with the system given by WithIdentifierSystem
//	              2. identifier typed v2-0203 FILL (the filler, i.e. scheduling system's, number; HL7 v2 SCH-2)
//	              3. the resource id
//	Source        WithSource, default "fhir"
//	SeriesID      1. R5 originatingAppointment (native or extension): its id, or its identifier value
//	              2. the resource's own id, when it carries the R5 recurrenceTemplate (it is the originating one)
//	              3. empty
//	Kind          Group when there are two or more Patient participants, or the R5 subject is a Group;
//	              Individual otherwise (also with no patient at all, which Validate then reports)
//	Modality      see Modality below
//	ProviderID    the first Practitioner or PractitionerRole participant typed ATND or PPRF, else the first
//	              Practitioner or PractitionerRole participant; its id as for clients below, where a
//	              PractitionerRole the input holds stands for the Practitioner it names
//	Start         start, an instant; its offset is kept as written
//	Duration      end - start; minutesDuration only when there is no end
//	Activity      1. serviceType (text, else the first coding display; R5 serviceType.concept too)
//	              2. appointmentType (likewise)  3. serviceCategory (likewise)  4. description
//	Participants  one per participant whose actor is a Patient, in order (see Participants)
//	Comments      comment
//	OnCallURL     never set: FHIR has no element for it
//	Deleted       true when status is entered-in-error
//	UpdatedAt     meta.lastUpdated
//
// Reasons for the choices that are not obvious:
//
//   - ID: HL7 v2 converters (such as Microsoft's FHIR-Converter) keep SCH-2 as an identifier typed FILL, and the
//     filler number is the scheduling system's own key, the same one an SIU feed carries; preferring it lets a
//     FHIR feed and an SIU feed of one EHR agree on ids (given the same Source name). Those identifiers have no system, so their values are
//     unique only within one EHR: give each server its own WithSource name, since Source is what keeps two EHRs'
//     "36996" apart. The resource id is the fallback, being unique on its server. An identifier's value is used
//     as is, without its system.
//   - Duration: converters get minutesDuration wrong (the SIU-derived fixtures say 1 for a 50-minute window,
//     having divided SCH-9's 60 seconds by 60), while start and end are instants. An end before the start is an
//     error; a start without end or minutesDuration gives a zero Duration, which Validate reports.
//   - Activity: serviceType is "the specific service that is to be performed", the nearest FHIR has to a
//     CareLogic activity; appointmentType and serviceCategory are coarser; description is free text, last. A
//     bare code without text or display is not a title and is skipped.
//   - SeriesID: R5 links each occurrence to the originating appointment, which holds the recurrenceTemplate, so
//     that appointment's id names the series for all of them. recurrenceId (the occurrence number) is not needed.
//     basedOn is not used: it points to the request (a ServiceRequest, say) that one-off appointments share too.
//   - Start keeps the offset it was written with, in a fixed zone (UTC for Z), so results do not depend on the
//     machine's time zone. Compare instants with time.Time.Equal, never offsets: the SIU-derived fixtures write
//     2021-09-24T12:45:00+05:30 for the SIU's 20210924093000+0215, the same instant.
//
// # Status mapping
//
// CareLogic keeps a status per client; core FHIR R4 keeps one per appointment (participant.status says whether a
// participant accepted the booking, not whether they came). So every patient gets the status mapped from the
// appointment's status, unless their own participant says otherwise:
//
//	Appointment.status   cancelationReason  Status of each patient  Why
//	proposed             -                  Scheduled               no outcome yet
//	pending              -                  Scheduled               no outcome yet
//	booked               -                  Scheduled               confirmed, no outcome yet
//	waitlist             -                  Scheduled               no outcome yet; without a start, Validate
//	                                                                rejects it, and with one it syncs as pending
//	                                                                does
//	arrived, checked-in  -                  "Checked-in" (custom)   CareLogic's custom status for it; custom
//	                                                                statuses do not sync to OnCall
//	fulfilled            -                  Kept                    the appointment took place
//	noshow               any                DNS                     did not show
//	cancelled            pat, pat-*         CBC                     the patient cancelled
//	cancelled            prov, prov-*       CBT                     the provider cancelled
//	cancelled            none, or another   CBT                     the clinic recorded a cancellation without a
//	                     code (maint, oth-*                         patient reason; CBC could bring consequences
//	                     ...) or text only                          on the client (late-cancellation fees,
//	                                                                attendance counts) that a missing code
//	                                                                should not
//	entered-in-error     any                Error, and Deleted      booked in error: OnCall removes the clients
//
// The cancellation reason is read from cancelationReason (R4's spelling) or cancellationReason (R5's), codings of
// http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason or with no system; the first coding that
// is a pat or prov code decides.
//
// A patient's own status overrides the table, in this order:
//
//  1. entered-in-error: always Error. The record itself is wrong, so nothing in it says more.
//  2. The [ParticipantStatusExtension] on the participant, with a valueCode naming a CareLogic status ("DNS",
//     "CBC", ...; any case) or a custom one (kept as written). This package defines it because core R4 cannot say
//     that one client of a group did not show while the others attended.
//  3. participant.status declined, while the appointment goes ahead (proposed, pending, booked, waitlist,
//     arrived, checked-in or fulfilled): CBC, since that client said they will not take part. On a cancelled or
//     noshow appointment it adds nothing, because converters mark participants declined as a side effect of those
//     statuses; the appointment's status decides.
//
// participant.status accepted, tentative and needs-action never change a status: in the SIU-derived fixtures the
// patient stays accepted on cancelled, noshow and entered-in-error appointments, so attendance is not inferred
// from it.
//
// # Participants
//
// A participant is a client when its actor is a Patient: a literal reference ("Patient/123", absolute or with
// _history), a reference to a Patient the input holds (contained "#id", or a Bundle entry by fullUrl such as
// urn:uuid), or a logical reference whose type is Patient. Practitioners, PractitionerRoles, Locations,
// Devices, HealthcareServices and RelatedPersons are not clients (third parties are added in OnCall), and a
// participant with no actor, or whose actor cannot be told to be a Patient (an unresolvable urn:uuid without
// type), is left out. R4 has no Group actor, so a group session is one Appointment with several Patient
// participants.
//
// A client's fields:
//
//	ClientID  1. identifier with the system given by WithPatientIdentifierSystem (on the reference, then on the
//	             Patient resource)
//	          2. the id of a literal reference
//	          3. the id of the resolved Patient (not for a contained one, whose id is only local)
//	          4. the reference's logical identifier value
//	          5. the resolved Patient's first identifier value
//	Name      the resolved Patient's name (usual, else official, else any not old: text, else given and family
//	          names), else actor.display; the resource is preferred because display may be stale
//	Email     the resolved Patient's telecom with system email, not old, lowest rank first (CareLogic's
//	          "primary email address")
//
// Names and emails are available only where the input holds the Patient: contained in the Appointment, or in the
// same Bundle (for example a search with _include=Appointment:actor).
//
// # Modality
//
// FHIR R4 has no element for telehealth, so the modality is taken only from explicit markers:
//
//   - an R5 virtualService (native, or the cross-version extension) means Video;
//   - codings in appointmentType, serviceType, serviceCategory and R5 class (native, or the cross-version
//     extension): v3 ActCode (http://terminology.hl7.org/CodeSystem/v3-ActCode) VR (virtual) means Video; AMB
//     (ambulatory) and HH (home health) mean InPerson; and the codes declared with WithModalityCode, which also
//     override or switch off these.
//
// When the markers agree, that is the modality. When they disagree, Modality is left empty rather than picked, and
// Validate reports it. When there is none, the WithDefaultModality value is used; without that option Modality is
// empty, and Validate rejects the appointment with carelogic.ErrUnsupportedModality: the package never guesses
// between a video visit and an in-person one for you. A deployment whose FHIR server marks nothing sets the
// default it knows to be right.
//
// # Bundles and files
//
// In a Bundle (of any type), every entry whose resource is an Appointment becomes an appointment; Patient,
// Practitioner and PractitionerRole entries resolve references; other resources, entries without a resource
// (such as a DELETE in a transaction) and nested Bundles are ignored. One bad entry does not spoil the others:
// DecodeBundle returns what decoded together with the errors of the rest.
//
// [ReadPath] reads one file, or every file directly inside a folder that holds an Appointment or a Bundle, told by
// its resourceType whatever the file's name (.json, .txt or none). In a folder, any other file, such as an
// AppointmentResponse (which only answers an appointment request and changes no appointment) or a file that is
// not JSON, is skipped and listed by [Source.Skipped]; a file named on its own must be an Appointment or Bundle.
// When several files hold the same appointment, the copy with the latest meta.lastUpdated, or else the last read
// in name order, is kept.
//
// A bad file, or one that would pass a limit (see Limits), does not spoil the others: ReadPath returns the Source
// of every good file together with a *carelogic.SourceError that names each failed file and counts the skipped
// ones. A path with nothing to read (an
// empty folder, a folder of other files, a Bundle without appointments) is an error too, wrapping
// carelogic.ErrEmptySource, so that it is never taken for a schedule with no appointments.
//
// A proposed appointment without a start (the HL7 example Appointment-examplereq.json) decodes, with a zero Start
// that Validate reports; Source never yields it from Appointments (it is in no time window), though Appointment
// and All return it.
//
// # Errors
//
// Failures are *[DecodeError]s naming the Bundle entry, resource and element at fault, for example
//
//	fhir: Bundle entry[3]: Appointment "a-17": participant[1].extension[0].valueCode: missing (...)
//
// Their text quotes nothing read from the input but FHIR R4 resource type names and Appointment or Bundle ids,
// and an id only where it looks like a record id (letters, digits and . _ : / # -, with a digit): a FHIR id may be
// "JaneRoe". Any other value is given by its length, as in "Appointment (a value of 7 characters)", so the text is
// safe to log: no patient name, email, phone number or patient id. encoding/json's errors, whose text may quote
// input, are not kept: a type mismatch is reachable through Unwrap as a *json.UnmarshalTypeError without the
// value. A resource of another type wraps [ErrUnsupportedResource]; a document over a limit, carelogic.ErrLimit.
// A Bundle's error keeps the errors of its first carelogic.MaxErrors bad entries and counts the rest. The reasons
// of [Source.Skipped] follow the same rule.
//
// # Limits
//
// Every document is checked against these limits before it is decoded, since encoding/json would build whatever
// it holds; one over a limit is refused whole with a *DecodeError wrapping carelogic.ErrLimit that names the
// limit, the count and where, as in
//
//	fhir: entry[3].resource.participant: 5000 participants, over the limit of 1000 (carelogic.MaxParticipants)
//
// The limits are:
//
//   - at most carelogic.MaxSourceBytes (64 MiB) in one document, and read by [ReadPath] in one call, over all the
//     files of a folder; a file's size is checked before it is read;
//   - at most [MaxBundleEntries] (100,000) entries in a Bundle;
//   - at most carelogic.MaxParticipants (1,000) participants in an Appointment, of every kind;
//   - at most carelogic.MaxJSONDepth (64) levels of nesting and carelogic.MaxJSONElements (1,000,000) array
//     elements in a document;
//   - at most carelogic.MaxFolderFiles (10,000) entries in a folder, and carelogic.MaxAppointments (100,000)
//     appointments in a [Source].
//
// Decoding so takes at most a few times carelogic.MaxSourceBytes of memory whatever the document: a Bundle's
// entries are read in place rather than copied, its Patients kept only for what the mapping reads, and the tests
// hold the costliest documents within the limits (100,000 Appointments of nine patients; a thousand participants
// holding a million elements) to 6 × MaxSourceBytes, measured at under 300 MiB, and 50 MB inputs over them to
// 2 × MaxSourceBytes.
package fhir
