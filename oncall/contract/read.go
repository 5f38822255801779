package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

// listingIDs are the checks that need the listing of appointments, in the order they run.
func listingIDs() []string {
	return []string{idEnvelope, idPageSize, idPagination, idDecode, idApptStatus, idApptProvider, idApptCancellation,
		idParticipantStatus, idWebhookURL}
}

// reads runs the read-only checks. Its error ends the run: the token refused, no answer at all, or ctx ended.
func (r *run) reads(ctx context.Context) error {
	first, err := r.c.Appointments.List(ctx, listOptions(1))
	if r.checkAuth(ctx, err) {
		r.checkEnvelope(first)
		if err := r.checkPageSize(ctx); err != nil {
			return err
		}
		if err := r.walk(ctx, first.Count); err != nil {
			return err
		}
		return r.checkDivision(ctx)
	}
	var decErr *oncall.DecodeError
	switch {
	case ctx.Err() != nil:
		return interrupted(ctx)
	case errors.Is(err, oncall.ErrUnauthorized):
		return fmt.Errorf("contract: the API refused the token: %w", err)
	case errors.As(err, new(*oncall.RequestError)):
		return fmt.Errorf("contract: the API did not answer: %w", err)
	case errors.As(err, &decErr):
		// Whether the envelope or an appointment in it failed, the client's error says in words, not in kind.
		for _, id := range listingIDs() {
			switch id {
			case idEnvelope:
				r.record(id, Unknown, "the first page could not be decoded (see decode)")
			case idDecode:
				r.record(id, Failed, "the first page: %s", describe(err))
			default:
				r.record(id, Skipped, "not run: the first page could not be decoded")
			}
		}
	default:
		r.skip(listingIDs(), "not run: the first page of appointments was not read (see auth)")
	}
	return r.checkDivision(ctx)
}

func listOptions(size int) *oncall.AppointmentListOptions {
	return &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: size}}
}

// checkAuth records the auth check from the first request's outcome, and reports whether the page can be used.
func (r *run) checkAuth(ctx context.Context, err error) bool {
	var decErr *oncall.DecodeError
	switch {
	case err == nil:
		r.record(idAuth, Held, "GET /appointments/?page_size=1 was answered")
		return true
	case ctx.Err() != nil:
		r.record(idAuth, Unknown, "not answered before the context ended")
	case errors.Is(err, oncall.ErrUnauthorized):
		r.record(idAuth, Failed, "%s: the token or its scheme was refused (see oncall.WithAuthScheme); nothing else can be checked",
			describe(err))
	case errors.Is(err, oncall.ErrForbidden):
		r.record(idAuth, Failed, "%s: the token was read, but its user may not list appointments", describe(err))
	case errors.As(err, &decErr):
		r.record(idAuth, Held, "GET /appointments/?page_size=1 was answered %d", decErr.StatusCode)
	default:
		r.record(idAuth, Unknown, "GET /appointments/?page_size=1: %s", describe(err))
	}
	return false
}

// checkEnvelope checks that the first page (of page_size 1) is consistent: a count covering its results, a next
// link when there are more, and no previous link.
func (r *run) checkEnvelope(p *oncall.Page[oncall.Appointment]) {
	n := len(p.Results)
	next := "no next link"
	if p.Next != "" {
		next = "a next link"
	}
	summary := fmt.Sprintf("count %d, %s on the first page, %s", p.Count, plural(n, "result"), next)
	switch {
	case p.Count < n:
		r.record(idEnvelope, Failed, "%s: the count is below the results (is \"count\" missing?)", summary)
	case p.Count > n && p.Next == "":
		r.record(idEnvelope, Failed, "%s: more results than shown, but no next link", summary)
	case p.Previous != "":
		r.record(idEnvelope, Failed, "%s: the first page has a previous link", summary)
	default:
		r.record(idEnvelope, Held, "%s, no previous link", summary)
	}
}

// checkPageSize asks for pages of 2.
func (r *run) checkPageSize(ctx context.Context) error {
	p, err := r.c.Appointments.List(ctx, listOptions(2))
	switch {
	case ctx.Err() != nil:
		r.record(idPageSize, Unknown, "not answered before the context ended")
		return interrupted(ctx)
	case err != nil:
		r.record(idPageSize, Failed, "GET /appointments/?page_size=2: %s", describe(err))
	case len(p.Results) > 2:
		r.record(idPageSize, Failed, "asked for 2, got %d of %d", len(p.Results), p.Count)
	case p.Count <= 2:
		r.record(idPageSize, Unknown, "only %s to list: a page of 2 shows them all either way", plural(p.Count, "appointment"))
	case len(p.Results) < 2:
		r.record(idPageSize, Failed, "asked for 2 of %d, got %d", p.Count, len(p.Results))
	case p.Next == "":
		r.record(idPageSize, Failed, "2 results of %d, but no next link", p.Count)
	default:
		r.record(idPageSize, Held, "2 results of %d, and a next link", p.Count)
	}
	return nil
}

// walkPageSize chooses the page size of the walk so that it spans about three pages (at least 2 and at most 100
// appointments a page): enough to follow next links even on a small account, few requests on a large one.
func walkPageSize(count, limit int) int {
	n := min(count, limit)
	if n <= 0 {
		return 100
	}
	return min(max((n+2)/3, 2), 100)
}

// walk follows next links with the client's iterator up to cfg.MaxAppointments appointments, observing each, and
// records the pagination check and the checks on what was seen.
func (r *run) walk(ctx context.Context, count int) error {
	limit := r.cfg.MaxAppointments
	size := walkPageSize(count, limit)
	r.seen = newObservations(r.c)
	pages, last, capped := 0, 0, false
	var walkErr error
	for p, err := range r.c.Appointments.Pages(ctx, listOptions(size)) {
		if err != nil {
			walkErr = err
			break
		}
		pages++
		last = p.Count
		for i := range p.Results {
			if r.seen.appointments == limit {
				capped = true
				break
			}
			r.seen.add(&p.Results[i])
		}
		if capped || (r.seen.appointments == limit && p.Next != "") {
			capped = true
			break
		}
	}
	seen := r.seen.appointments
	walked := fmt.Sprintf("%s of up to %d", plural(pages, "page"), size)
	var decErr *oncall.DecodeError
	switch {
	case ctx.Err() != nil:
		r.record(idPagination, Unknown, "interrupted after %s", walked)
		return interrupted(ctx)
	case errors.As(walkErr, &decErr):
		r.record(idPagination, Unknown, "stopped after %s: page %d could not be decoded (see decode)", walked, pages+1)
	case walkErr != nil:
		r.record(idPagination, Failed, "after %s: %s", walked, describe(walkErr))
	case capped:
		r.record(idPagination, Held, "reached MaxAppointments (%d) after %s; count %d", limit, walked, last)
	case seen != last:
		r.record(idPagination, Failed, "the links ended after %s with %d of the count of %d", walked, seen, last)
	default:
		r.record(idPagination, Held, "%s reached the count of %d", walked, last)
	}
	r.checkDecode(walkErr, pages)
	r.checkFields()
	return nil
}

// checkDecode records whether every appointment seen decoded, with the types and statuses seen.
func (r *run) checkDecode(walkErr error, pages int) {
	o := &r.seen
	var decErr *oncall.DecodeError
	switch {
	case errors.As(walkErr, &decErr):
		r.record(idDecode, Failed, "page %d (after %s): %s", pages+1, plural(o.appointments, "appointment"), describe(walkErr))
	case o.appointments == 0:
		r.record(idDecode, Skipped, "no appointment listed")
	case o.noID > 0:
		r.record(idDecode, Failed, "%d of %s have a url that names no appointment id", o.noID, plural(o.appointments, "appointment"))
	default:
		r.record(idDecode, Held, "%s decoded; types: %s; statuses: %s", plural(o.appointments, "appointment"), o.types, o.statuses)
	}
}

// checkFields records the checks on which fields the listed appointments carry.
func (r *run) checkFields() {
	o := &r.seen
	if o.appointments == 0 {
		r.skip(listingIDs()[4:], "no appointment listed")
		return
	}
	of := "of " + plural(o.appointments, "appointment")
	carries := func(id string, n int, field string) {
		if n == 0 {
			r.record(id, Unknown, "none %s carries a %s", of, field)
			return
		}
		r.record(id, Held, "%d %s carry a %s", n, of, field)
	}
	carries(idApptStatus, o.withStatus, "status")
	carries(idApptProvider, o.withProvider, "provider")
	r.checkCancellation()

	switch {
	case o.participants == 0:
		r.record(idParticipantStatus, Skipped, "no participant on the %s listed", plural(o.appointments, "appointment"))
	case len(o.partStatuses) == 0:
		r.record(idParticipantStatus, Unknown, "not seen on any of %s", plural(o.participants, "participant"))
	default:
		n := 0
		for _, c := range o.partStatuses {
			n += c
		}
		r.record(idParticipantStatus, Held, "%d of %s carry one: %s", n, plural(o.participants, "participant"), o.partStatuses)
	}
	r.checkURLs()
}

// checkCancellation records what "cancellation" holds on cancelled appointments, by class.
func (r *run) checkCancellation() {
	o := &r.seen
	also := ""
	if o.uncancelledRef > 0 {
		also = fmt.Sprintf("; %d not cancelled carry one too", o.uncancelledRef)
	}
	switch {
	case o.cancelled == 0:
		r.record(idApptCancellation, Skipped, "no cancelled appointment among the %s listed%s",
			plural(o.appointments, "appointment"), also)
	case o.cancellation[cancelPlainText] > 0:
		r.record(idApptCancellation, Failed, "of %s: %s%s (the SDK keeps it opaque and never shows it)",
			plural(o.cancelled, "cancelled appointment"), o.cancellation, also)
	case o.cancellation[cancelEmpty] == o.cancelled:
		r.record(idApptCancellation, Unknown, "null or absent on all %s%s", plural(o.cancelled, "cancelled appointment"), also)
	default:
		r.record(idApptCancellation, Held, "of %s: %s%s", plural(o.cancelled, "cancelled appointment"), o.cancellation, also)
	}
}

// checkURLs records the webhook.url check.
func (r *run) checkURLs() {
	o := &r.seen
	host := o.origin.Host
	com := strings.TrimSuffix(strings.TrimPrefix(comRoot, "https://"), "/")
	switch {
	case len(o.urlHosts) > 0:
		r.record(idWebhookURL, Failed, "%d of %s are on another host than %s: %s", o.appointments-o.urlOwn-o.urlBad,
			plural(o.appointments, "appointment URL"), host, o.urlHosts)
	case o.urlBad > 0:
		r.record(idWebhookURL, Failed, "%d of %s on %s name no appointment", o.urlBad,
			plural(o.appointments, "appointment URL"), host)
	case o.webhookMisses > 0:
		r.record(idWebhookURL, Failed, "all %s are on %s, but oncall/webhook reads %d of them on %s as another id or not at all",
			plural(o.appointments, "appointment URL"), host, o.webhookMisses, com)
	default:
		r.record(idWebhookURL, Held, "all %s are on %s, and oncall/webhook reads each on %s as the same id",
			plural(o.appointments, "appointment URL"), host, com)
	}
}

// checkDivision reads Config.Division.
func (r *run) checkDivision(ctx context.Context) error {
	if r.cfg.Division == 0 {
		r.record(idDivision, Skipped, "Config.Division is not set")
		return nil
	}
	d, err := r.c.Divisions.Get(ctx, r.cfg.Division)
	switch {
	case ctx.Err() != nil:
		r.record(idDivision, Unknown, "not answered before the context ended")
		return interrupted(ctx)
	case statusCode(err) == http.StatusNotFound:
		r.record(idDivision, Failed, "%s: the token's user sees no division %d", describe(err), r.cfg.Division)
	case err != nil:
		r.record(idDivision, Failed, "GET /divisions/%d/: %s", r.cfg.Division, describe(err))
	case d.ID != r.cfg.Division:
		r.record(idDivision, Failed, "GET /divisions/%d/ answered a resource whose url names division %d", r.cfg.Division, d.ID)
	default:
		name := "with a name"
		if strings.TrimSpace(d.Name) == "" {
			name = "without a name"
		}
		r.record(idDivision, Held, "GET /divisions/%d/ answered, %s", r.cfg.Division, name)
	}
	return nil
}
