// Package oncalltest is an in-memory OnCall Health API for tests and demos, served over HTTP on a loopback port in
// the manner of net/http/httptest. Code that talks to it through the real client (package oncall) does exactly
// what it would do against production: the same endpoints, JSON, pagination, URL references, authentication,
// validation and error bodies, as far as OnCall's public material shows them. Where that material is silent the
// server follows the likeliest reading and says so below, under "Assumptions".
//
// It is a test double, not a copy of OnCall: it may behave differently from the real service in ways nobody has
// seen yet. Where it has to guess, it guesses strictly, so that code which works against it is more likely to
// work in production than the other way round.
//
// # Starting a server
//
//	srv := oncalltest.NewServer()
//	defer srv.Close()
//	div := srv.AddDivision("Downtown Clinic")
//	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
//	client, err := srv.Client() // a real *oncall.Client, pointed at srv
//
// NewServer takes options: WithToken, WithPageSize, WithWebhookURL and the other webhook options, WithRateLimit,
// WithTLS, WithUndocumentedParticipantAPI, and WithIgnoredFields (to test code against writes the API drops). A Server needs no *testing.T, so a main program (a demo, a local
// trial of a sync job) can run one too.
//
// # What it serves
//
//	GET, POST           /appointments/
//	GET, PATCH          /appointments/{id}/     (PATCH "participants" replaces who is on it)
//	GET                 /participants/          (?appointment=<id> lists one appointment's)
//	GET                 /participants/{id}/
//	POST                /participants/          only with WithUndocumentedParticipantAPI
//	PATCH, DELETE       /participants/{id}/     only with WithUndocumentedParticipantAPI
//	GET                 /providers/  /providers/{id}/  /divisions/  /divisions/{id}/
//	GET, POST           /contacts/              (?query= searches names and emails)
//	GET, PATCH          /contacts/{id}/
//	GET                 /contacts/{id}/appointments/
//
// Every request needs "Authorization: Token <token>" (Server.Token). Listings are pages of the envelope
// {"count", "next", "previous", "results"}, selected with page and page_size, ordered by id unless
// ordering=datetime or ordering=-datetime says otherwise. References are URLs on the server's own host, with
// trailing slashes (Server.URL()+"/divisions/101/"). Writes are checked with OnCall's documented rules (the four
// appointment types, at most 25 participants, a datetime unless the type is message, required title, duration and
// division, division and provider URLs of existing resources, the metadata limits), and refused with 400 and
// Django REST Framework's field errors, {"field": ["message"]}. An unknown id is 404 {"detail": "Not found."}, a
// method a route does not take is 405.
//
// Each kind of resource numbers its ids from its own starting point (divisions from 101, providers from 201,
// appointments from 1001, participants from 5001, contacts from 7001), so that an id of one kind used for another
// finds nothing rather than the wrong thing.
//
// # Seeding and reading state
//
// AddDivision, AddProvider, AddCustomField, AddContact and AddAppointment put data in place, as if it already
// existed in OnCall, without webhooks. Appointments, Appointment and Contacts return the state as the client's
// own types, exactly as the client would decode it, for comparison with cmp.Diff; AppointmentRecords and
// AppointmentRecord return the server's own Appointment type, which also holds what the API does not show: the
// patient's cancellation reason, and (without the extension) each participant's status.
//
// BookAsUser, UpdateAsUser, CancelAsPatient, CancelParticipantAsPatient, CancelAsProvider and Complete change
// appointments as people using OnCall's apps would, and send the webhooks OnCall would send: the OnCall-to-EHR
// direction.
//
// # Request log
//
// Every request is logged (Requests, RequestCount, ResetRequests) with its method, path, query, the route it
// matched, its status, whether it carried the token, whether it went to the participant extension (Undocumented),
// its body, any fault injected, whether it changed the state, and its X-Request-Id. The log is in memory, for
// assertions; bodies hold the test's made-up patient details.
//
// # The participant extension
//
// OnCall documents no participant "status" field and no POST, PATCH or DELETE on /participants/: the documented
// way to change who is on an appointment, and to cancel one participant, is a PATCH of the appointment's own
// "participants" array. By default the server is that documented API. A participant write is answered 405
// {"detail": "Method \"POST\" not allowed."} with "Allow: GET, HEAD, OPTIONS", and a participant's "status" in a
// write is ignored and never rendered, as Django REST Framework treats a field a serializer lacks; so code that
// leans on a guess fails here as it would in production. WithUndocumentedParticipantAPI turns the extension on, for
// testing code that relies on it (the oncall package's undocumented.go): the participant writes, and "status" on
// every participant. Request.Undocumented marks requests to the extension in either mode, so that a test can
// assert that code meant for the documented API sent none.
//
// # Webhooks
//
// With a URL registered (WithWebhookURL or SetWebhookURL), every change to an appointment queues
// {"event": "appointment_created" or "appointment_updated", "url": "<appointment URL>"}, which one goroutine posts
// in the order the changes happened, retrying a failed post (WithWebhookRetry). WaitWebhooks waits until the
// queue is empty; WebhookDeliveries reports each post's outcome. Close stops delivery and leaves no goroutine.
//
// # Faults
//
// SetFaults injects faults at random, deterministically for a given seed and order of requests; InjectNext
// scripts the next n faults for requests that match. The kinds: 429 with Retry-After, 500, 502, 503, 504, added
// latency, a connection closed before anything is done, and the two that make a write ambiguous, a request carried
// out whose answer is then lost (connection closed, or 504). Of the failures, only those two change the state:
// the others are answered before the request is looked at, so a refused write was not carried out. FaultCounts tells how many of each kind were injected, so a test
// can compare them with the failures its code reported. WithRateLimit adds a server-side limit answered with 429,
// to show that a client stays under it.
//
// # Assumptions
//
// OnCall's public documentation does not describe everything the server does. This is everything it assumes
// beyond it; the client's own assumptions, which the server shares, are in the oncall package's undocumented.go.
//
//   - Authentication is Django REST Framework's TokenAuthentication: "Authorization: Token <key>" (the scheme in
//     any case). No header or another scheme is 401 {"detail": "Authentication credentials were not provided."}, a
//     wrong key 401 {"detail": "Invalid token."}, with "WWW-Authenticate: Token".
//   - Paths end in a slash. GET or HEAD of a path without it is redirected (301) to the path with it, as Django does;
//     any other method is 404. A path outside the API is Django's HTML 404 page, before authentication.
//     Appointments take no PUT or DELETE, providers and divisions no writes (405 {"detail": "Method \"PUT\" not
//     allowed."} with an Allow header).
//   - Pagination is Django REST Framework's PageNumberPagination: 50 results a page unless page_size says
//     otherwise, at most 1000 (a larger page_size is lowered to it; one that is not a positive number gives 50); a
//     page out of range, or not a number or "last", is 404 {"detail": "Invalid page."}. The next and previous links
//     are absolute URLs on the server keeping the other query parameters; the link to page 1 has no page parameter.
//   - Listings are ordered by id. ordering=datetime or -datetime (and id, -id; several may be given, comma
//     separated) reorders appointments; an appointment without a datetime sorts last going up and first going
//     down. Other query parameters, and unknown ordering fields, are ignored, as Django REST Framework ignores
//     them: there is no filter by metadata, date, provider or division.
//   - A participant can be read at /participants/{id}/, the URL appointment payloads give it. /participants/ lists
//     them, and ?appointment=<id> lists one appointment's (a value that is not a number is 400); the listing is a
//     guess, so a request to it counts as Undocumented.
//   - A PATCH of an appointment's "participants" gives it its whole list of participants. An entry whose "url" is
//     one of the appointment's participants keeps that participant (and its id), changing the name, first_name,
//     last_name, email, fee and cancelled it gives ("cancelled": true withdraws one participant); an entry without
//     "url" adds a participant with a new id; a participant left out is removed, and its URL is then 404. The list
//     is refused as on a create (null, not a list, empty, more than 25), and so is an entry whose url is not a
//     participant of this appointment ("Invalid hyperlink - Object does not exist.", or "- Incorrect URL match."
//     for another kind of resource) or a url listed twice ("This participant is listed more than once.", the
//     server's own message); the errors are one object per entry, {} for a valid one. The same name sent again
//     keeps the first and last names; the list is compared in order when deciding whether a PATCH changed
//     anything.
//   - A participant needs an email and a name (or first_name and last_name). first_name and last_name, when not
//     given, are the name's first word and the rest.
//   - Participant writes (POST /participants/, PATCH and DELETE /participants/{id}/) are 405, as Django REST
//     Framework answers a method a view lacks, unless WithUndocumentedParticipantAPI is given.
//   - An appointment is cancelled with PATCH {"cancelled": true}. Its status becomes "Coordinator cancelled", or
//     "Provider cancelled" when the token belongs to a provider (SetTokenProvider). Cancelling again is accepted
//     and changes nothing.
//   - An appointment that is cancelled, or whose status is anything but "Incomplete", refuses a PATCH that would
//     change anything but metadata, with 400 ["This appointment has been cancelled or completed and can no longer
//     be changed."] (the bare list OnCall's own apps read for update errors). A PATCH that sets fields to their
//     current values is accepted.
//   - The token belongs to a coordinator by default, so creating an appointment requires a provider; after
//     SetTokenProvider a missing provider defaults to that provider, as OnCall documents for providers' keys. The
//     provider must be a member of the appointment's division (400 on "provider").
//   - A reference must be an absolute URL on the server's own host ending in "<kind>/<id>/" (Django REST
//     Framework would also take another host or a bare path); an id where a URL is expected is 400.
//   - Limits OnCall does not state: title and a participant's name at most 255 characters (first_name and
//     last_name 150, email 254); duration a whole number of minutes from 1 to 2147483647; fee at least 0 with at
//     most 2 decimal places and 10 digits; the participants list not empty; a request body at most 1 MiB (413). A datetime without a zone or offset is refused (Django would read it in
//     the server's time zone).
//   - Fields are read as Django REST Framework reads them: unknown and read-only fields in a write are ignored,
//     "true" and 1 are booleans, "60" and 60.0 are integers, a datetime may have a one-digit hour
//     ("2026-01-15T9:00:00Z"). A participant's "appointment" and "user_id" are not read from a participants array
//     (the server does not write user_id), nor its "status" without the extension. Only JSON bodies are read (415
//     otherwise). Error messages are Django REST Framework's; those about metadata are the server's own.
//   - Representation: "datetime" is UTC with a Z ("2026-01-15T09:00:00Z", with six fraction digits when there is
//     a fraction) or null for a message appointment; "status" is always present ("Incomplete" by default);
//     "provider" is a URL or null; every participant has "appointment", "first_name", "last_name" and
//     "cancelled", "user_id" only when known, and no "status" (under the extension: "status", a string or null);
//     "metadata" is always an object. A participant's fee is a JSON number nested in an appointment (10.00, as
//     OnCall's published payloads show numbers) and a string on the participant resource ("10.00", as a Django
//     DecimalField renders and OnCall's own apps read). Answers carry an X-Request-Id header; a 201 carries a
//     Location header with the new resource's URL.
//   - A division has "url" and "name"; a provider "url", "full_name", "email" and "memberships" (division URLs).
//   - Contacts are created with first_name, last_name, email and division (required), sex ("Unknown" by default),
//     phone, date_of_birth (YYYY-MM-DD) and provider, and shown with "name". custom_field_values keys must be ids of
//     fields defined with AddCustomField; a PATCH changes only the keys it sends. /contacts/{id}/appointments/
//     lists the appointments on which a participant has the contact's email, compared without regard to case.
//   - Webhooks: {"event", "url"} with no signature; "url" has no trailing slash and is on the server's own host
//     unless WithWebhookBase names another (OnCall's published payloads use api.oncallhealth.com). One is sent for
//     every successful write to an appointment or its participants (appointment_created for a create,
//     appointment_updated otherwise, even for a PATCH that changed nothing), none for contacts. A post that fails
//     (no answer, or not 2xx) is retried 3 times, waiting 10 ms and doubling; posts go one at a time, in order, so
//     a failing one holds back those after it.
//   - "cancellation" is opaque: OnCall documents no such field, and its own app only tests it for null. The server
//     renders it as the URL of a cancellation record, <server URL>/appointment_cancellations/<appointment id>/, once
//     the appointment is cancelled (however it was), and null before; it does not serve that URL. The patient's
//     reason is not rendered (AppointmentRecord holds it).
//   - A patient cancelling a 1:1 appointment makes it cancelled with the status "Patient cancelled", and its
//     participant cancelled (with the status "Cancelled by Client", shown only under the extension). In a group only
//     the participant is cancelled, and the reason is kept only when the last participant cancels.
//   - Under the extension: a participant's "status" is "No Show", "Cancelled by Provider", "Cancelled by Client"
//     or null (PATCH null clears it); either "Cancelled by" status also sets its "cancelled" to true, and
//     "cancelled": false without a status clears it. POST /participants/ adds a participant to the appointment
//     named by URL in "appointment" (a 26th is 400 {"error": "Maximum 25 participants per appointment."}); PATCH
//     changes name, first_name, last_name, email, fee, cancelled and status, but cannot move a participant to
//     another appointment; DELETE removes it (204).
//   - Throttling is Django REST Framework's: 429 {"detail": "Request was throttled. Expected available in N
//     seconds."} with Retry-After in seconds. The real API's limits are unknown; the server has none unless
//     WithRateLimit sets one. A 500 is Django's HTML error page and a 502, 503 or 504 a proxy's HTML page.
package oncalltest
