package oncall

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/oncallsync/oncall-go/internal/ratelimit"
	"github.com/oncallsync/oncall-go/internal/redact"
	"golang.org/x/time/rate"
)

// Client talks to the OnCall Health API of one Region. It is safe for concurrent use; share one per token and
// region. Its rate limit and 429 back-off are shared by every request it sends.
type Client struct {
	region     Region
	base       *url.URL
	baseStr    string
	authHeader string
	userAgent  string
	hc         *retryablehttp.Client
	pacer      *ratelimit.Pacer
	rtt        rttAverage
	retry      RetryPolicy
	log        *slog.Logger
	maxPages   int

	// Appointments reads and writes appointments.
	Appointments *AppointmentsService
	// Participants reads participants; its writes are the unconfirmed participant extension (undocumented.go).
	// The documented way to change who is on an appointment is Appointments.Update.
	Participants *ParticipantsService
	// Providers reads providers (clinician users); the API offers no writes.
	Providers *ProvidersService
	// Divisions reads divisions.
	Divisions *DivisionsService
	// Contacts reads and writes roster contacts.
	Contacts *ContactsService
}

// NewClient returns a client for region that authenticates with token (an OnCall API key). It does no I/O and
// reads no environment variable: a token from the environment is the caller's to read.
//
// The region is required and there is no default; an unknown region or an empty token is an error. See
// WithBaseURL for tests against a fake server.
func NewClient(region Region, token string, opts ...Option) (*Client, error) {
	if region.BaseURL() == "" {
		// The value is not echoed: with the arguments swapped by mistake, it would be the token.
		return nil, errors.New("oncall: NewClient: unknown region: use RegionCA or RegionUS")
	}
	if token == "" {
		return nil, errors.New("oncall: NewClient: empty token")
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("oncall: NewClient: token contains white space or control characters")
	}
	cfg := config{
		baseURL:    region.BaseURL(),
		retry:      DefaultRetryPolicy(),
		limit:      DefaultRateLimit,
		burst:      DefaultBurst,
		userAgent:  DefaultUserAgent,
		authScheme: "Token",
		maxPages:   DefaultMaxPages,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	base, err := parseBaseURL(cfg.baseURL, region)
	if err != nil {
		return nil, err
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		region:     region,
		base:       base,
		baseStr:    base.String(),
		authHeader: cfg.authScheme + " " + token,
		userAgent:  cfg.userAgent,
		pacer:      ratelimit.New(rate.Limit(cfg.limit), cfg.burst),
		retry:      cfg.retry,
		log:        log,
		maxPages:   cfg.maxPages,
	}
	c.hc = &retryablehttp.Client{
		HTTPClient:   c.httpClient(cfg.httpClient),
		Logger:       nil, // retryablehttp's logger prints URLs with their query; the attempt transport logs instead
		RetryWaitMin: cfg.retry.MinWait,
		RetryWaitMax: cfg.retry.MaxWait,
		RetryMax:     cfg.retry.MaxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	c.Appointments = &AppointmentsService{c}
	c.Participants = &ParticipantsService{c}
	c.Providers = &ProvidersService{c}
	c.Divisions = &DivisionsService{c}
	c.Contacts = &ContactsService{c}
	return c, nil
}

// httpClient returns a copy of hc (or of a default client) whose transport is wrapped by the attempt transport
// and whose redirects must stay on the client's origin.
func (c *Client) httpClient(hc *http.Client) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	}
	next := out.Transport
	if next == nil {
		next = defaultTransport()
	}
	out.Transport = &attemptTransport{c: c, next: next}
	userCheck := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !c.sameOrigin(req.URL) {
			return fmt.Errorf("%w: refusing a redirect to another origin than the client's %s", ErrCrossOrigin, c.origin())
		}
		if !c.underBase(req.URL) {
			return fmt.Errorf("%w: refusing a redirect that leaves the API root %s", ErrCrossOrigin, c.base.Path)
		}
		// net/http turns a POST or PATCH that meets a 301, 302 or 303 into a GET, whose answer would then be
		// decoded as the write's result. Only reads follow redirects.
		if m := via[0].Method; m != http.MethodGet && m != http.MethodHead {
			return &finalError{fmt.Errorf("refusing to follow a redirect of a %s", m)}
		}
		var err error
		if userCheck != nil {
			err = userCheck(req, via)
		} else if len(via) >= 10 {
			err = errors.New("stopped after 10 redirects")
		}
		if err != nil && err != http.ErrUseLastResponse { // net/http compares ErrUseLastResponse with ==
			return &finalError{err}
		}
		return err
	}
	return &out
}

// Region returns the region the client is pinned to.
func (c *Client) Region() Region { return c.region }

// BaseURL returns the API root the client sends requests to, with a trailing slash.
func (c *Client) BaseURL() string { return c.baseStr }

// String describes the client by its region and API root, never its token: fmt's %v and %+v print this, so a
// client logged by mistake leaks nothing.
func (c *Client) String() string {
	if c == nil {
		return "oncall.Client(nil)"
	}
	return "oncall.Client{region: " + string(c.region) + ", base: " + c.baseStr + ", token: redacted}"
}

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// LogValue is what log/slog prints for the client: its region and API root, never its token.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("nil")
	}
	return slog.GroupValue(slog.String("region", string(c.region)), slog.String("base_url", c.baseStr))
}

// do sends one logical request (retried as the policy says) to target, a URL on the client's origin, with in as
// its JSON body if non-nil, and decodes a 2xx JSON response into out if non-nil.
func (c *Client) do(ctx context.Context, method string, target *url.URL, in, out any) error {
	return c.send(ctx, method, target, in, out, false)
}

// send is do, for a request that once says must not be repeated once it may have reached the server.
func (c *Client) send(ctx context.Context, method string, target *url.URL, in, out any, once bool) error {
	if ctx == nil {
		return errors.New("oncall: nil context")
	}
	path := target.Path
	if !c.sameOrigin(target) {
		return fmt.Errorf("%w: %s %s is not on the client's origin %s", ErrCrossOrigin, method, redact.Path(path), c.origin())
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("oncall: %s %s: encoding request: %w", method, redact.Path(path), err)
		}
	}
	st := &attemptState{method: method, path: path, once: once}
	ctx = context.WithValue(ctx, attemptKey{}, st)
	var rawBody any
	if body != nil {
		rawBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, target.String(), rawBody)
	if err != nil {
		return fmt.Errorf("oncall: %s %s: %w", method, redact.Path(path), err)
	}
	req.Header.Set("Authorization", c.authHeader)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return &RequestError{Method: method, Path: path, Sent: st.wrote.Load(), Err: transportCause(ctx, err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBytes))
		return newAPIError(method, path, resp, b)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponseBytes))
		return nil
	}
	return decodeResponse(method, path, resp, out)
}

// transportCause strips the *url.Error wrapper, whose text holds the full URL with its query, keeping the cause;
// and hides the text of a cause that may quote the answer (net/http's "malformed HTTP status code", a bad header
// line, an unparsable Location), keeping it for errors.As.
func transportCause(ctx context.Context, err error) error {
	if ctx.Err() != nil && isContextErr(err) {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if plainTransportError(err) {
		return err
	}
	return &hiddenTextError{err}
}

// plainTransportError reports whether err's text is known to hold nothing the server sent: the client's own
// refusals, a context's end, a connection's failure (addresses and system errors), a timeout, a TLS or
// certificate failure.
func plainTransportError(err error) bool {
	var (
		fin  *finalError
		op   *net.OpError
		dns  *net.DNSError
		cert *tls.CertificateVerificationError
		ne   net.Error
	)
	switch {
	case errors.Is(err, ErrCrossOrigin), errors.As(err, &fin), isContextErr(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &op), errors.As(err, &dns), errors.As(err, &cert):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

// hiddenTextError is a transport error whose text may quote the answer: it reads as a fixed sentence, and
// unwraps to the error itself for a caller that decides to look.
type hiddenTextError struct{ err error }

func (e *hiddenTextError) Error() string {
	return "the answer could not be read as HTTP (its text is not shown, as it may quote the answer)"
}

func (e *hiddenTextError) Unwrap() error { return e.err }

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func decodeResponse(method, path string, resp *http.Response, out any) error {
	ct := resp.Header.Get("Content-Type")
	derr := func(err error) error {
		return &DecodeError{Method: method, Path: path, StatusCode: resp.StatusCode, ContentType: ct, Err: err}
	}
	if ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return derr(errors.New("not a JSON response"))
		}
	}
	b, err := readBody(resp.Body, resp.ContentLength)
	if errors.Is(err, ErrResponseTooLarge) {
		return derr(err)
	}
	if err != nil {
		return derr(fmt.Errorf("reading body: %w", err))
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return derr(errors.New("empty body"))
	}
	if err := checkShape(b); err != nil {
		return derr(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return derr(jsonError(err))
	}
	// A single resource always names itself; a body of null or {} would otherwise read as an empty resource.
	if r, ok := out.(interface{ selfURL() string }); ok && r.selfURL() == "" {
		return derr(errors.New(`the response is not a resource: it has no "url"`))
	}
	return nil
}

// endpoint returns the URL of a collection or resource path (e.g. "appointments/12/") below the API root.
func (c *Client) endpoint(path string, q url.Values) *url.URL {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = ""
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return &u
}
