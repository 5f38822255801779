package oncalltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// Webhook events, as OnCall names them.
const (
	eventCreated = "appointment_created"
	eventUpdated = "appointment_updated"
)

// WebhookDelivery is one webhook the server sent, or tried to.
type WebhookDelivery struct {
	// Event is "appointment_created" or "appointment_updated".
	Event string
	// URL is the payload's "url": the appointment's URL on the webhook base, without a trailing slash, as OnCall's
	// published payloads show it.
	URL string
	// Target is where it was posted.
	Target string
	// Attempts is how many times it was posted (0 if the server closed first).
	Attempts int
	// StatusCode is the receiver's last answer, or 0 when the last attempt got none.
	StatusCode int
	// Err is the last attempt's transport error, or "".
	Err string
	// Delivered reports whether the receiver answered 2xx.
	Delivered bool
	// Queued is when the change happened; Finished when delivery succeeded or was given up (zero while pending).
	Queued, Finished time.Time
}

// webhookPayload is the body of a webhook request.
type webhookPayload struct {
	Event string `json:"event"`
	URL   string `json:"url"`
}

// webhooks delivers webhooks one at a time, in the order the changes happened, from a single goroutine.
type webhooks struct {
	client  *http.Client
	header  http.Header
	retries int
	backoff time.Duration
	base    string
	ctx     context.Context
	cancel  context.CancelFunc
	stopped chan struct{} // closed when the worker has returned
	wake    chan struct{}

	mu         sync.Mutex
	target     string
	deliveries []WebhookDelivery
	queue      []int // indexes into deliveries, oldest first
	pending    int   // queued or in flight
	idle       chan struct{}
	closed     bool
}

func startWebhooks(cfg config, base string) *webhooks {
	ctx, cancel := context.WithCancel(context.Background())
	client := cfg.webhookClient
	if client == nil {
		client = &http.Client{
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
			Timeout:   DefaultWebhookTimeout,
		}
	}
	h := &webhooks{
		client:  client,
		header:  cfg.webhookHeader.Clone(),
		retries: cfg.webhookRetries,
		backoff: cfg.webhookBackoff,
		base:    base,
		ctx:     ctx,
		cancel:  cancel,
		stopped: make(chan struct{}),
		wake:    make(chan struct{}, 1),
		target:  cfg.webhookURL,
	}
	go h.run()
	return h
}

// enqueue queues an event about an appointment, if a webhook URL is registered.
func (h *webhooks) enqueue(event string, id oncall.AppointmentID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.target == "" || h.closed {
		return
	}
	h.deliveries = append(h.deliveries, WebhookDelivery{
		Event:  event,
		URL:    h.base + "/" + kindAppointments + "/" + strconv.FormatInt(int64(id), 10),
		Target: h.target,
		Queued: time.Now(),
	})
	h.queue = append(h.queue, len(h.deliveries)-1)
	if h.pending == 0 {
		h.idle = make(chan struct{})
	}
	h.pending++
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *webhooks) run() {
	defer close(h.stopped)
	for {
		h.mu.Lock()
		for len(h.queue) == 0 {
			h.mu.Unlock()
			select {
			case <-h.wake:
			case <-h.ctx.Done():
				return
			}
			h.mu.Lock()
		}
		i := h.queue[0]
		h.queue = h.queue[1:]
		d := h.deliveries[i]
		h.mu.Unlock()

		h.deliver(&d)

		h.mu.Lock()
		h.deliveries[i] = d
		h.done()
		h.mu.Unlock()
		if h.ctx.Err() != nil {
			return
		}
	}
}

// done marks one delivery finished; h.mu is held.
func (h *webhooks) done() {
	h.pending--
	if h.pending == 0 && h.idle != nil {
		close(h.idle)
		h.idle = nil
	}
}

// deliver posts d, retrying with a doubling backoff while the receiver fails, until it succeeds, the retries are
// spent, or the server closes.
func (h *webhooks) deliver(d *WebhookDelivery) {
	body, _ := json.Marshal(webhookPayload{Event: d.Event, URL: d.URL})
	wait := h.backoff
	for attempt := 0; attempt <= h.retries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-h.ctx.Done():
				t.Stop()
				d.Finished = time.Now()
				return
			}
			wait *= 2
		}
		d.Attempts++
		d.StatusCode, d.Err = h.post(d.Target, body)
		if d.StatusCode >= 200 && d.StatusCode < 300 {
			d.Delivered = true
			break
		}
		if h.ctx.Err() != nil {
			break
		}
	}
	d.Finished = time.Now()
}

func (h *webhooks) post(target string, body []byte) (int, string) {
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	for k, vs := range h.header {
		req.Header[k] = slices.Clone(vs)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "oncalltest-webhooks")
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, ""
}

// close stops the worker, abandoning what is still queued, and waits for it to return.
func (h *webhooks) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	<-h.stopped
	h.mu.Lock()
	for _, i := range h.queue {
		h.deliveries[i].Err = "server closed before delivery"
		h.deliveries[i].Finished = time.Now()
		h.done()
	}
	h.queue = nil
	h.mu.Unlock()
	h.client.CloseIdleConnections()
}

// SetWebhookURL registers the URL that appointment_created and appointment_updated webhooks are posted to, as
// OnCall's customer success team does for a customer; "" stops sending them. Events already queued keep their
// target.
func (s *Server) SetWebhookURL(rawURL string) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	s.hooks.target = rawURL
}

// WaitWebhooks blocks until every webhook queued so far has been delivered or given up, or ctx is done. Changes
// made through the API queue their webhook before the API answers, so after a client call returns, WaitWebhooks
// covers its webhook.
func (s *Server) WaitWebhooks(ctx context.Context) error {
	s.hooks.mu.Lock()
	idle := s.hooks.idle
	pending := s.hooks.pending
	s.hooks.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("oncalltest: WaitWebhooks: %d deliveries pending: %w", pending, ctx.Err())
	}
}

// WebhookDeliveries returns every webhook queued so far, in the order the changes happened, with the outcome of
// those finished.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return slices.Clone(s.hooks.deliveries)
}
