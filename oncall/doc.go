// Package oncall is a typed client for the OnCall Health REST API: appointments, their participants,
// providers, divisions and roster contacts.
//
// # Regions
//
// OnCall Health runs separate Canadian and US servers (PHIPA and HIPAA). A Client is pinned to one Region, given
// explicitly: there is no default, so that patient data cannot reach the wrong country by omission. The client
// sends its token only to that region's origin; a pagination link, a redirect or a resource URL pointing anywhere
// else is refused with an error wrapping ErrCrossOrigin.
//
//	client, err := oncall.NewClient(oncall.RegionCA, token)
//
// # Resources and references
//
// The API names every resource by its URL ("https://api.oncallhealth.ca/divisions/123/"). The client exposes the
// numeric ids, typed per resource (AppointmentID, DivisionID, ...), and renders them as URLs on its own region when
// it sends a request. Client.ParseRef and Client.ParseAppointmentURL turn a stored URL back into an id, refusing
// one of another origin.
//
// # Lenient in, strict out
//
// Responses are decoded as the API really sends them: a datetime with a one-digit hour ("2026-01-15T0:00:00Z"),
// a fee as a number or a string, kept exact as a Decimal, unknown status and type values kept as they are, and
// unknown fields ignored. Requests are checked before they are sent: the appointment type, at most
// MaxParticipants participants, a datetime unless the type is message, and the metadata limits. A request that
// breaks them fails with a *ValidationError (errors.Is ErrInvalidParams) and is not sent.
//
// # Pagination
//
// Listings are paginated as {"count", "next", "previous", "results"}. All returns an iter.Seq2 that fetches
// pages as the loop advances, holding one page in memory; Pages yields whole pages for callers that checkpoint;
// List fetches one. Iteration follows the server's next links on the client's origin only, stops with
// ErrPaginationCycle if a link repeats, and ends at the first error, which it yields once.
//
// # Errors
//
// A 4xx or 5xx response is an *APIError, which matches sentinels with errors.Is (ErrNotFound, ErrRateLimited,
// ...). A 2xx response that cannot be read is a *DecodeError; a request that got no response is a *RequestError.
// Every error names the method and path (never the query), and none holds the token, a message text or the body,
// which may echo patient data.
//
// # Retries and rate limits
//
// Requests are retried as RetryPolicy describes: idempotent methods after connection errors and on 429, 502, 503
// and 504; a POST only when it surely did not reach the server. The server's Retry-After is honoured up to a cap.
// Every attempt first waits on the client's rate limiter (DefaultRateLimit unless WithRateLimit says otherwise),
// and a 429 slows the whole client down, not only the request that got it. Every wait ends when the context does.
//
// # Writes are checked
//
// OnCall's API is Django REST Framework, which answers 200 to a write naming a field it does not know or holds
// read-only, and drops the field. Every create and update is therefore compared with its answer: a field the
// answer does not show as written comes back as a *WriteIgnoredError naming it (errors.Is(err, ErrWriteIgnored)),
// with the resource the server answered. A field the answer leaves out altogether (a provider, which OnCall's
// published payloads do not show) cannot be checked and is not reported.
//
// # Logging
//
// The client is silent unless given a *slog.Logger with WithLogger. It never logs the token, a query string, a
// body, or a name or email.
//
// # Assumptions
//
// OnCall's public documentation does not cover everything the client needs. The documented way to change an
// appointment, cancel it or change who is on it is a PATCH of its fields ("status", "cancelled" and the
// "participants" list among them): Update and Cancel. Writes to a participant's own URL and a participant "status"
// field are a guess, the participant extension, kept in undocumented.go; a server without them answers 405
// (ErrMethodNotAllowed) or drops the field (ErrWriteIgnored). Other assumptions are said on the type they concern.
// The contract suite in oncall/contract checks each against a real account.
package oncall
