package contract

import (
	"errors"
	"net/url"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

// observations are what the listing showed, reduced to counts and classes as each appointment goes by, so that no
// appointment (nor anything about its people) is kept.
type observations struct {
	c      *oncall.Client
	origin *url.URL // the client's base URL

	appointments   int
	noID           int // appointments whose url names no appointment id
	types          tally
	statuses       tally
	withStatus     int
	withProvider   int
	cancelled      int
	cancellation   tally // of cancelled appointments, by class
	uncancelledRef int   // appointments not cancelled whose "cancellation" is set nonetheless
	participants   int
	partStatuses   tally // of participants with a status, by label

	// webhook.url: URLs on the client's origin and read back as the same id, on the API host and on .com.
	urlHosts      tally // hosts of URLs not on the client's origin
	urlBad        int   // URLs on it that name no appointment
	urlOwn        int
	webhookReads  int
	webhookMisses int
}

func newObservations(c *oncall.Client) observations {
	origin, err := url.Parse(c.BaseURL())
	if err != nil { // the client parsed it when it was made
		origin = &url.URL{}
	}
	return observations{c: c, origin: origin, types: tally{}, statuses: tally{}, cancellation: tally{},
		partStatuses: tally{}, urlHosts: tally{}}
}

// comRoot is the root of the host OnCall's webhook payloads name appointments on, for both regions.
const comRoot = "https://api.oncallhealth.com/"

// add takes one listed appointment into account.
func (o *observations) add(a *oncall.Appointment) {
	o.appointments++
	if a.ID <= 0 {
		o.noID++
	}
	o.types[label(string(a.Type), a.Type.Known())]++
	if a.Status != "" {
		o.withStatus++
		o.statuses[label(string(a.Status), a.Status.Known())]++
	}
	if a.Provider > 0 {
		o.withProvider++
	}
	if a.Cancelled {
		o.cancelled++
		o.cancellation[classifyCancellation(a.Cancellation, o.origin)]++
	} else if a.Cancellation != "" {
		o.uncancelledRef++
	}
	for i := range a.Participants {
		p := &a.Participants[i]
		o.participants++
		if p.Status != "" {
			o.partStatuses[label(string(p.Status), p.Status.Known())]++
		}
	}
	o.addURL(a)
}

// hostLabel names a host for the report: one of OnCall's own as is, any other (the server's to choose, so input)
// as "another host".
func hostLabel(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, ":443"))
	for _, known := range []string{"api.oncallhealth.com", "api.oncallhealth.ca", "api.oncallhealth.us",
		"app.oncallhealth.ca", "app.oncallhealth.us", "staging.oncallhealth.com"} {
		if h == known {
			return h
		}
	}
	return "a host not OnCall's"
}

// addURL checks that the appointment's URL is on the client's origin, and that the webhook parser reads its path on
// api.oncallhealth.com, written as OnCall's payloads write it (no trailing slash), as the same appointment.
func (o *observations) addURL(a *oncall.Appointment) {
	id, err := o.c.ParseAppointmentURL(a.URL)
	switch {
	case errors.Is(err, oncall.ErrCrossOrigin):
		if u, perr := url.Parse(a.URL); perr == nil {
			o.urlHosts[hostLabel(u.Host)]++
		}
		return
	case err != nil || id != a.ID:
		o.urlBad++
		return
	}
	o.urlOwn++
	u, _ := url.Parse(a.URL) // parsed by ParseAppointmentURL already
	rel := strings.TrimPrefix(u.EscapedPath(), o.origin.EscapedPath())
	got, err := webhook.AppointmentIDFromURL(comRoot + strings.TrimSuffix(rel, "/"))
	if err != nil || got != a.ID {
		o.webhookMisses++
		return
	}
	o.webhookReads++
}
