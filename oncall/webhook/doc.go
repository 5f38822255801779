// Package webhook receives OnCall Health's appointment webhooks: the appointment_created and appointment_updated
// events, whose body names the appointment by URL,
//
//	{"event": "appointment_created", "url": "https://api.oncallhealth.com/appointments/1"}
//
// Parse decodes such a body into an Event, and Handler is an http.Handler that checks a delivery, reads the
// appointment it names from the API, and hands both to a Callback:
//
//	client, err := oncall.NewClient(oncall.RegionCA, token)
//	// ...
//	h, err := webhook.NewHandler(client, func(ctx context.Context, d webhook.Delivery) error {
//		if d.Appointment == nil {
//			return nil // an unknown event, or an appointment the API no longer shows
//		}
//		return queue.Put(ctx, d.Appointment) // heavy work belongs behind a durable queue
//	})
//	// ...
//	http.Handle("POST /oncall/webhook", h)
//
// # Trust
//
// OnCall publishes no way to sign or authenticate a delivery, so anyone who can reach the endpoint can send one.
// The Handler therefore trusts nothing in a body but an appointment id: it takes the id from url, reads the
// appointment with the client's Appointments.Get, and hands the callback what the API returned. Every other field
// is ignored. A forged delivery can at most make the Handler re-read an appointment the token can already read.
//
// The url's host is checked before anything is read. OnCall's guide shows https://api.oncallhealth.com in its
// payloads, for Canadian and US customers alike, so that host is accepted, as are the client's own region's host
// and the client's BaseURL (a fake server's, in tests); the appointment is always read from the client's own
// region. A url on the other region's host is refused, since the same id there is a different appointment that
// must not be read, nor looked for, across the border; so is any other host, a look-alike such as
// api.oncallhealth.ca.evil.com included. The public hosts are accepted over https only.
//
// Where the deployment has one, a Verifier checks each request before its body is parsed: SharedSecretHeader for a
// secret header agreed with OnCall, or HMACScheme for a signature scheme (OnCall has published none; a relay in
// front of the Handler can sign). Both fail closed: an empty or short secret is an error, not an open door.
//
// # Answers
//
// The Handler reads the appointment and runs the callback before it answers, within a timeout (DefaultTimeout,
// or WithTimeout), so that OnCall sees a success only for a delivery that was handled and a failure where a retry
// could help: acknowledging first would lose the event if the process stopped before handling it. One GET is
// quick; anything slow belongs in a queue behind the callback, which should only enqueue.
//
//	Status                        When
//	200 OK                        the callback returned nil: for a known event with the appointment or with NotFound
//	                              (the API answered 404), for an unknown event without fetching anything
//	400 Bad Request               the body is not a delivery (ErrMalformed), or could not be read
//	401 Unauthorized              the Verifier refused the request; nothing was parsed or fetched
//	405 Method Not Allowed        the method is not POST
//	413 Request Entity Too Large  the body is longer than the limit (DefaultMaxBodyBytes, or WithMaxBodyBytes)
//	422 Unprocessable Entity      the url is on another region's host or a host not accepted (ErrOriginNotAllowed)
//	500 Internal Server Error     the callback returned an error
//	502 Bad Gateway               reading the appointment failed (an API error other than 404, a network error)
//	504 Gateway Timeout           the timeout ran out while reading the appointment or in the callback
//
// A 4xx means the delivery will never succeed as sent; a 5xx asks for a retry. Whether and how often OnCall
// retries is not public. Response bodies hold the status text alone, never an error's detail or patient data.
//
// # Logging
//
// The Handler is silent unless given a *slog.Logger with WithLogger. It logs the event type, the appointment id,
// the status and a reason, and never the body, a header, a name or an email.
package webhook
