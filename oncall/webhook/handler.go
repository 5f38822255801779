package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/oncall"
	"golang.org/x/time/rate"
)

// Fetcher reads an appointment by id. *oncall.AppointmentsService (a Client's Appointments) satisfies it; see
// WithFetcher to use another.
type Fetcher interface {
	Get(ctx context.Context, id oncall.AppointmentID) (*oncall.Appointment, error)
}

// Delivery is what the Handler hands to its Callback: the event, and the appointment as the API returns it now,
// read from the client's own region. Nothing in it comes from the delivery's body but Event, whose only use is to
// say which appointment changed and how.
type Delivery struct {
	// Event is the parsed delivery. For an unknown Type, nothing was fetched and Appointment is nil.
	Event Event
	// Appointment is the appointment Event names, read from the API after the delivery arrived. It is nil for an
	// unknown event, and when NotFound is set.
	Appointment *oncall.Appointment
	// NotFound reports that the API answered 404 Not Found for the appointment: it was deleted since the event,
	// the token may not see it (another division), the API had not yet caught up with its creation, or the event
	// was forged. Return an error from the Callback to have OnCall retry the delivery, if a retry could help you.
	NotFound bool
}

// Callback receives each accepted delivery. The Handler waits for it before answering, so that a delivery is
// acknowledged only once it is handled: return nil when the delivery is done with (or safely queued), an error
// for OnCall to retry it. ctx ends at the Handler's timeout.
//
// Deliveries are handled concurrently, and OnCall may send one more than once or out of order. Since each carries
// the appointment as read when it arrived, handling one twice is harmless; if two deliveries for one appointment
// may race, serialise them by Appointment.ID in the callback (or the queue behind it).
type Callback func(ctx context.Context, d Delivery) error

// Handler is an http.Handler that receives OnCall's appointment webhooks. See the package documentation for what
// it accepts and answers. It is safe for concurrent use.
type Handler struct {
	fetcher  Fetcher
	callback Callback
	verifier Verifier
	maxBody  int64
	timeout  time.Duration
	log      *slog.Logger
	region   oncall.Region
	accept   []root // the roots a url may be on
	other    []root // the other region's root, refused with a reason of its own
	// fetchLimit bounds the re-fetches; nil with NoFetchLimit.
	fetchLimit *rate.Limiter
}

// NewHandler returns a Handler that re-reads each event's appointment with c and passes it to callback.
//
// The client decides which urls are accepted: https://api.oncallhealth.com/ (the host OnCall's guide shows for
// both regions), the client's region's API root, and the client's BaseURL (a fake server's, in tests). A url on
// the other region's host is refused: the same id there names a different appointment, which the client must not
// read. Whatever the url's host, the appointment is read from the client's own region.
func NewHandler(c *oncall.Client, callback Callback, opts ...Option) (*Handler, error) {
	if c == nil {
		return nil, errors.New("webhook: NewHandler: nil *oncall.Client")
	}
	if callback == nil {
		return nil, errors.New("webhook: NewHandler: nil Callback")
	}
	cfg := config{fetcher: c.Appointments, maxBody: DefaultMaxBodyBytes, timeout: DefaultTimeout,
		fetchRate: DefaultFetchRate, fetchBurst: DefaultFetchBurst}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	h := &Handler{
		fetcher:  cfg.fetcher,
		callback: callback,
		verifier: cfg.verifier,
		maxBody:  cfg.maxBody,
		timeout:  cfg.timeout,
		log:      cfg.logger,
		region:   c.Region(),
	}
	if cfg.fetchRate != NoFetchLimit {
		h.fetchLimit = rate.NewLimiter(rate.Limit(cfg.fetchRate), cfg.fetchBurst)
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, s := range []string{comRoot, c.Region().BaseURL(), c.BaseURL()} {
		r, err := parseRoot(s)
		if err != nil {
			return nil, fmt.Errorf("webhook: NewHandler: %w", err)
		}
		if !slices.Contains(h.accept, r) {
			h.accept = append(h.accept, r)
		}
	}
	for _, reg := range []oncall.Region{oncall.RegionCA, oncall.RegionUS} {
		r, err := parseRoot(reg.BaseURL())
		if err != nil {
			return nil, fmt.Errorf("webhook: NewHandler: %w", err)
		}
		if reg != c.Region() && !containsOrigin(h.accept, r) {
			h.other = append(h.other, r)
		}
	}
	return h, nil
}

func containsOrigin(roots []root, r root) bool {
	for _, x := range roots {
		if x.sameOrigin(r) {
			return true
		}
	}
	return false
}

// result is the outcome of one delivery: the status to answer and what to log (never patient data).
type result struct {
	status int
	event  Event
	reason string
}

// ServeHTTP handles one delivery. The response body is the status text alone: no error detail, which could help
// an attacker probe, and nothing of the appointment.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	res := h.serve(w, r)
	if res.status == http.StatusOK {
		w.WriteHeader(http.StatusOK)
	} else {
		if res.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		http.Error(w, http.StatusText(res.status), res.status)
	}
	h.logResult(r, res, time.Since(start))
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) result {
	if r.Method != http.MethodPost {
		return result{status: http.StatusMethodNotAllowed, reason: "method is not POST"}
	}
	body, res, ok := h.readBody(w, r)
	if !ok {
		return res
	}
	// Verification comes before anything that costs an API call; a refused delivery spends nothing of the
	// client's rate limit.
	if h.verifier != nil {
		if err := h.verifier(r, body); err != nil {
			return result{status: http.StatusUnauthorized, reason: "the verifier refused the request"}
		}
	}
	ev, err := parse(body, h.accept)
	if err != nil {
		if !errors.Is(err, ErrOriginNotAllowed) {
			return result{status: http.StatusBadRequest, event: ev, reason: err.Error()}
		}
		reason := err.Error()
		if _, oerr := appointmentID(ev.URL, h.other); oerr == nil {
			reason = fmt.Sprintf("url is on another region's API host; this handler reads from region %s", h.region)
		}
		return result{status: http.StatusUnprocessableEntity, event: ev, reason: reason}
	}

	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	d := Delivery{Event: ev}
	if ev.Type.Known() {
		// The Handler's own limit, apart from the client's: deliveries, forged or real, get at most this share
		// of the client's requests, and the sync sharing the client keeps the rest.
		if !h.waitFetch(ctx) {
			w.Header().Set("Retry-After", "1")
			return result{status: http.StatusTooManyRequests, event: ev, reason: "over the handler's fetch limit (WithFetchLimit)"}
		}
		a, err := h.fetcher.Get(ctx, ev.AppointmentID)
		switch {
		case errors.Is(err, oncall.ErrNotFound):
			d.NotFound = true
		case err != nil:
			return result{status: failStatus(ctx, http.StatusBadGateway), event: ev, reason: "re-fetch failed: " + fetchErrorText(err)}
		case a == nil:
			return result{status: http.StatusBadGateway, event: ev, reason: "re-fetch returned no appointment"}
		case a.ID != 0 && a.ID != ev.AppointmentID:
			return result{status: http.StatusBadGateway, event: ev, reason: fmt.Sprintf("re-fetch returned appointment %d", a.ID)}
		default:
			d.Appointment = a
		}
	}
	if err := h.callback(ctx, d); err != nil {
		return result{status: failStatus(ctx, http.StatusInternalServerError), event: ev, reason: "callback returned an error (its text is not logged)"}
	}
	reason := "delivered"
	switch {
	case d.NotFound:
		reason = "delivered; the API answered 404 for the appointment"
	case !ev.Type.Known():
		reason = "delivered; unknown event, nothing fetched"
	}
	return result{status: http.StatusOK, event: ev, reason: reason}
}

// waitFetch waits for the Handler's fetch limit, as long as half the delivery's time at most, so that a burst of
// real changes is re-read a little later rather than refused; past that the delivery is refused at once. It
// reports whether the re-read may go ahead.
func (h *Handler) waitFetch(ctx context.Context) bool {
	if h.fetchLimit == nil {
		return true
	}
	r := h.fetchLimit.Reserve()
	d := r.Delay()
	if d == 0 {
		return true
	}
	if d > h.timeout/2 {
		r.Cancel()
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		r.Cancel()
		return false
	}
}

// readBody reads the whole body, up to the limit.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, result, bool) {
	tooLarge := result{status: http.StatusRequestEntityTooLarge, reason: fmt.Sprintf("body is larger than %d bytes", h.maxBody)}
	if r.ContentLength > h.maxBody {
		return nil, tooLarge, false
	}
	if r.Body == nil {
		return nil, result{}, true
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge, false
	case err != nil:
		return nil, result{status: http.StatusBadRequest, reason: "reading the body failed"}, false
	}
	return body, result{}, true
}

// failStatus is 504 when the delivery's time ran out, and otherwise status.
func failStatus(ctx context.Context, status int) int {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return http.StatusGatewayTimeout
	}
	return status
}

// fetchErrorText returns the text of an error from the oncall client, which holds no patient data by design, and
// nothing of an error from any other Fetcher.
func fetchErrorText(err error) string {
	var (
		api *oncall.APIError
		req *oncall.RequestError
		dec *oncall.DecodeError
		val *oncall.ValidationError
	)
	switch {
	case errors.As(err, &api):
		return api.Error()
	case errors.As(err, &req):
		return req.Error()
	case errors.As(err, &dec):
		return dec.Error()
	case errors.As(err, &val):
		return val.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded.Error()
	case errors.Is(err, context.Canceled):
		return context.Canceled.Error()
	}
	return "error from the Fetcher (its text is not logged)"
}

// eventName is an event type as the log shows it: a known one, or an unknown one that looks like an event name
// (appointment_deleted), as is; anything else, which came unauthenticated from the body, by its length.
func eventName(t EventType) string {
	if t.Known() || redact.IsName(string(t)) {
		return string(t)
	}
	return redact.Value(string(t))
}

func (h *Handler) logResult(r *http.Request, res result, took time.Duration) {
	level, msg := slog.LevelDebug, "webhook delivery handled"
	switch {
	case res.status >= 500:
		level, msg = slog.LevelError, "webhook delivery failed"
	case res.status >= 400:
		level, msg = slog.LevelWarn, "webhook delivery refused"
	}
	ctx := r.Context()
	if !h.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.Int("status", res.status)}
	if res.event.Type != "" {
		attrs = append(attrs, slog.String("event", eventName(res.event.Type)))
	}
	if res.event.AppointmentID != 0 {
		attrs = append(attrs, slog.Int64("appointment_id", int64(res.event.AppointmentID)))
	}
	attrs = append(attrs, slog.String("reason", res.reason), slog.Duration("duration", took))
	if res.status >= 400 && res.status < 500 {
		attrs = append(attrs, slog.String("remote_addr", r.RemoteAddr))
	}
	h.log.LogAttrs(ctx, level, msg, attrs...)
}
