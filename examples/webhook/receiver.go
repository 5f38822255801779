package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
	"github.com/oncallsync/oncall-go/syncer"
)

// receiver is the webhook.Callback of both modes: it hands each delivery's appointment to an EHRApplier and keeps a
// record of what came of it.
type receiver struct {
	applier *syncer.EHRApplier
	// onHandled, if set, is told of each delivery once it is handled, in the order they were handled.
	onHandled func(handled)

	// mu serialises the deliveries. OnCall may send two for one appointment at once, and each carries the
	// appointment as read when it arrived: applied one at a time, the later read is applied last. A receiver with
	// more traffic than one EHR write at a time allows would serialise by appointment id, or queue.
	mu      sync.Mutex
	handled []handled
}

// handled is one delivery and what the EHRApplier did with it. It holds ids, statuses and action kinds only.
type handled struct {
	Event         webhook.EventType
	AppointmentID oncall.AppointmentID
	// Status and Cancelled are the appointment's, as read from the API; NotFound is set when it answered 404.
	Status    oncall.AppointmentStatus
	Cancelled bool
	NotFound  bool
	// Results are the EHR writes the delivery caused.
	Results []syncer.EHRResult
	// Err is the first failed EHR write; the handler answers 500 for it, so that OnCall delivers the event again.
	Err error
}

func (r *receiver) callback(ctx context.Context, d webhook.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := handled{Event: d.Event.Type, AppointmentID: d.Event.AppointmentID, NotFound: d.NotFound}
	if a := d.Appointment; a != nil {
		h.Status, h.Cancelled = a.Status, a.Cancelled
		h.Results, h.Err = r.applier.HandleAppointment(ctx, a)
	}
	r.handled = append(r.handled, h)
	if r.onHandled != nil {
		r.onHandled(h)
	}
	return h.Err
}

// since returns the deliveries handled after the first n.
func (r *receiver) since(n int) []handled {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]handled(nil), r.handled[min(n, len(r.handled)):]...)
}

// count returns how many deliveries have been handled.
func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.handled)
}

// String describes the delivery on one line, without a comment's text, which is the patient's own words.
func (h handled) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d", h.Event, h.AppointmentID)
	switch {
	case h.NotFound:
		b.WriteString(" (the API answered 404 Not Found)")
	case !h.Event.Known():
		b.WriteString(" (an event this receiver does not know; nothing read)")
	default:
		state := string(h.Status)
		if h.Cancelled {
			state += ", cancelled"
		}
		fmt.Fprintf(&b, " (%s)", state)
	}
	if len(h.Results) == 0 && h.Err == nil {
		b.WriteString(": nothing to change in the EHR")
		return b.String()
	}
	b.WriteString(":")
	for i, res := range h.Results {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(" " + describeResult(res))
	}
	if h.Err != nil && len(h.Results) == 0 {
		fmt.Fprintf(&b, " failed: %v", h.Err)
	}
	return b.String()
}

// describeResult names one EHR write by kind, EHR id, client and status.
func describeResult(res syncer.EHRResult) string {
	s := string(res.Kind) + " " + res.EHRID
	switch res.Kind {
	case syncer.EHRSetStatus:
		s += " client " + res.Client + " -> " + string(res.Status)
	case syncer.EHRStoreURL:
		s += " " + res.URL
	}
	if res.Outcome != syncer.OutcomeApplied {
		s += " [" + string(res.Outcome)
		if res.Error != "" {
			s += ": " + res.Error
		}
		s += "]"
	}
	return s
}
