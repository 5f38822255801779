package siu

import (
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
)

// Option configures how messages become appointments, for Convert, Decode, NewFeed, ReadPath and ReadDir.
type Option func(*config)

type config struct {
	source   string
	loc      *time.Location
	modality func(*Message) carelogic.Modality
	kind     func(*Message) carelogic.Kind
	status   func(*Message, carelogic.Status) carelogic.Status
}

func newConfig(opts []Option) *config {
	c := &config{loc: time.UTC}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// WithSource sets Appointment.Source, which scopes appointment ids so that two EHRs' ids cannot collide. By
// default it is the sending application and facility, "MSH-3@MSH-4" (each the HD namespace id, or its universal
// id when that is empty), e.g. "SCHApp@GHHSFacility"; set it when one EHR sends from several applications, so
// that its appointments keep one identity. An empty source keeps the default.
func WithSource(source string) Option { return func(c *config) { c.source = source } }

// WithLocation sets the time zone of timestamps that carry no UTC offset. HL7 leaves those to the sender's local
// time, which the message does not name; the default is UTC.
func WithLocation(loc *time.Location) Option {
	return func(c *config) {
		if loc != nil {
			c.loc = loc
		}
	}
}

// WithModality sets the modality given to every appointment. HL7 v2 has no standard field for telehealth, so
// without this option (or WithModalityFunc) every appointment is carelogic.Video: OnCall is where the
// appointment will be hosted, and a feed of in-person visits should say so with this option.
func WithModality(m carelogic.Modality) Option {
	return WithModalityFunc(func(*Message) carelogic.Modality { return m })
}

// WithModalityFunc decides each appointment's modality from its message, for feeds that mark telehealth in a
// local way (a location in AIL-3, a Z-segment, an appointment type in SCH-8). A nil f keeps the default.
func WithModalityFunc(f func(*Message) carelogic.Modality) Option {
	return func(c *config) {
		if f != nil {
			c.modality = f
		}
	}
}

// WithKindFunc decides whether a message is a 1:1 or a group session. By default a message with more than one
// PID is a carelogic.Group and one with a single PID is carelogic.Individual; a feed whose group sessions can
// have one client (known, say, by the service code in AIS-3) says so here. A nil f keeps the default.
func WithKindFunc(f func(*Message) carelogic.Kind) Option {
	return func(c *config) {
		if f != nil {
			c.kind = f
		}
	}
}

// WithStatusFunc replaces the status given to every participant: f receives the message and the status this
// package mapped (see the package documentation) and returns the one to use, for agencies with their own
// filler status codes in SCH-25. Appointment.Deleted is still set by an S17 or a Deleted SCH-25. A nil f keeps
// the default.
func WithStatusFunc(f func(m *Message, mapped carelogic.Status) carelogic.Status) Option {
	return func(c *config) {
		if f != nil {
			c.status = f
		}
	}
}
