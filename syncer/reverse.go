package syncer

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// EHRActionKind names a change to the EHR, in the OnCall-to-EHR direction.
type EHRActionKind string

const (
	// EHRCreate creates an EHR appointment for one booked in OnCall (ReversePolicy.CreateInEHR).
	EHRCreate EHRActionKind = "ehr-create"
	// EHRUpdate copies a reschedule or retitle made in OnCall (ReversePolicy.UpdateDetails).
	EHRUpdate EHRActionKind = "ehr-update"
	// EHRSetStatus writes a participant status: CBC when a client cancelled in OnCall, CBT when the provider did,
	// DNS for a no-show recorded in OnCall.
	EHRSetStatus EHRActionKind = "ehr-set-status"
	// EHRComment appends the client's cancellation reason to the appointment's comments (1:1s only, as the
	// CareLogic integration does), when OnCall gives one: its documented API does not (see PlanEHR).
	EHRComment EHRActionKind = "ehr-comment"
	// EHRStoreURL stores the OnCall appointment's URL on the EHR record, which makes later matching exact.
	EHRStoreURL EHRActionKind = "ehr-store-url"
)

// EHRAction is one change to the EHR. Its JSON form holds ids, kinds and statuses only: the comment, which is the
// patient's own words, and the appointment are not marshalled.
type EHRAction struct {
	Kind EHRActionKind `json:"kind"`
	// EHRID is the EHR appointment's id ("" for EHRCreate).
	EHRID string `json:"ehr_id,omitempty"`
	// OnCall is the OnCall appointment the action comes from.
	OnCall oncall.AppointmentID `json:"oncall"`
	Client string               `json:"client,omitempty"`
	Status carelogic.Status     `json:"status,omitempty"`
	URL    string               `json:"url,omitempty"`
	Reason string               `json:"reason,omitempty"`
	// Comment is the text EHRComment appends.
	Comment string `json:"-"`
	// Appointment is the appointment EHRCreate creates or EHRUpdate writes.
	Appointment *carelogic.Appointment `json:"-"`
}

// ReversePolicy says what flows from OnCall back to the EHR. The zero value is the CareLogic integration's
// behaviour: statuses and, where OnCall gives one, a client's cancellation reason flow back, and the OnCall URL is
// stored; the EHR stays the system of record for everything else.
type ReversePolicy struct {
	// CreateInEHR creates an EHR appointment for an OnCall appointment that has no EHR metadata, for deployments
	// where OnCall is the system of record. The runner then writes the new EHR id into the OnCall appointment's
	// metadata, so that both directions match it from then on.
	CreateInEHR bool
	// UpdateDetails copies a new time, duration or title from OnCall to the EHR.
	UpdateDetails bool
	// Source is the Source of appointments CreateInEHR creates.
	Source string
	// Staff maps OnCall providers to EHR staff ids, for CreateInEHR and UpdateDetails.
	Staff map[oncall.ProviderID]string
}

// hard reports whether a status is one that the EHR must not have overwritten by OnCall: a decision already made.
func hard(s carelogic.Status) bool {
	return s == carelogic.StatusDNS || s == carelogic.StatusCBT || s == carelogic.StatusCBC || s == carelogic.StatusError
}

// cancelledBy says whose cancellation an OnCall appointment-level status records, as a CareLogic status.
func cancelledBy(s oncall.AppointmentStatus) (carelogic.Status, bool) {
	switch s {
	case oncall.StatusPatientCancelled:
		return carelogic.StatusCBC, true
	case oncall.StatusProviderCancelled, oncall.StatusStaffCancelled, oncall.StatusCoordinatorCancelled:
		return carelogic.StatusCBT, true
	case oncall.StatusNoShow, oncall.StatusNoShowFeeCharged:
		return carelogic.StatusDNS, true
	}
	return "", false
}

// PlanEHR compares an OnCall appointment with its EHR appointment (nil when the EHR has none) and returns the EHR
// writes that carry OnCall's changes back. Like Plan it is pure, and idempotent: it only proposes what differs, so
// repeated or out-of-order webhook deliveries (each handled with a fresh read of the appointment) converge.
//
// It never overwrites a status the EHR already holds as DNS, CBT, CBC or Error, and it ignores appointments the
// syncer itself superseded. A 1:1's cancellation reason goes into the EHR's comments only when the appointment's
// "cancellation" field holds text: OnCall documents no reason, and the field is opaque (most likely the URL of a
// cancellation record, which is not a reason and is never written to the EHR).
func PlanEHR(oc *oncall.Appointment, ehr *carelogic.Appointment, p ReversePolicy) []EHRAction {
	if oc == nil || superseded(oc.Metadata) {
		return nil
	}
	if ehr == nil {
		if appointmentKey(oc.Metadata) != "" || !p.CreateInEHR || oc.Cancelled {
			return nil
		}
		a, ok := ehrFromOnCall(oc, p)
		if !ok {
			return nil
		}
		return []EHRAction{{Kind: EHRCreate, OnCall: oc.ID, Appointment: &a, URL: oc.URL, Reason: "booked in OnCall"}}
	}
	var acts []EHRAction
	if oc.URL != "" && ehr.OnCallURL != oc.URL {
		acts = append(acts, EHRAction{Kind: EHRStoreURL, EHRID: ehr.ID, OnCall: oc.ID, URL: oc.URL})
	}
	if p.UpdateDetails && !oc.Cancelled {
		if upd, ok := detailChanges(oc, ehr, p); ok {
			acts = append(acts, EHRAction{Kind: EHRUpdate, EHRID: ehr.ID, OnCall: oc.ID, Appointment: &upd, Reason: "rescheduled or retitled in OnCall"})
		}
	}
	if ehr.Deleted {
		return acts
	}
	// OnCall's outcome for a participant flows back only to a client whose EHR status is not an outcome already:
	// Scheduled, or a custom status such as "Checked-in". Kept and DNS, CBT, CBC, Error keep the EHR's status: in
	// CareLogic a status may change again (DNS, then Kept once the client turns up), while OnCall's may not, and the
	// EHR is the record of what happened. For an open client, a status in OnCall is OnCall's truth, whoever set it:
	// the patient cancelling, or this sync from an earlier EHR status since put back to Scheduled (OnCall keeps it
	// either way, so the EHR says so too). Each OnCall status maps back to its own CareLogic status.
	var pr pairing
	pr.pair(ehr, oc, readMeta(oc.Metadata, KeyEMRClients))
	whole, wholeOK := cancelledBy(oc.Status)
	if wholeOK && whole != carelogic.StatusDNS && !oc.Cancelled {
		wholeOK = false
	}
	cbcOne := false
	for i, c := range ehr.Participants {
		if c.Status == carelogic.StatusKept || hard(c.Status) {
			continue
		}
		var want carelogic.Status
		if p := pr.participant(oc, i); p != nil {
			switch {
			case p.Status == oncall.ParticipantNoShow:
				want = carelogic.StatusDNS
			case p.Status == oncall.ParticipantCancelledByProvider:
				want = carelogic.StatusCBT
			case p.Status == oncall.ParticipantCancelledByClient:
				want = carelogic.StatusCBC
			case p.Cancelled && pr.mark[i] == statusMark(carelogic.StatusCBT):
				want = carelogic.StatusCBT // withdrawn by the sync for CBT: the documented API does not say who
			case p.Cancelled:
				want = carelogic.StatusCBC
			}
		}
		if want == "" && wholeOK {
			want = whole
		}
		if want == "" || want == c.Status {
			continue
		}
		acts = append(acts, EHRAction{Kind: EHRSetStatus, EHRID: ehr.ID, OnCall: oc.ID, Client: c.ClientID, Status: want, Reason: "set in OnCall"})
		cbcOne = cbcOne || want == carelogic.StatusCBC
	}
	if reason := cancellationReason(oc); cbcOne && ehr.Kind == carelogic.Individual && reason != "" && !strings.Contains(ehr.Comments, reason) {
		acts = append(acts, EHRAction{Kind: EHRComment, EHRID: ehr.ID, OnCall: oc.ID, Comment: "Client cancelled in OnCall: " + reason, Reason: "cancellation reason"})
	}
	return acts
}

// cancellationReason returns the reason a patient gave for cancelling oc, when OnCall says, or "". OnCall documents
// no reason: the appointment's "cancellation" field is opaque, most likely the URL of a cancellation record, which
// is not text to put in the EHR's comments. It is taken as the reason only when it is not a URL.
func cancellationReason(oc *oncall.Appointment) string {
	c := strings.TrimSpace(oc.Cancellation)
	if u, err := url.Parse(c); err == nil && u.IsAbs() && u.Host != "" {
		return ""
	}
	return c
}

// detailChanges returns ehr with OnCall's time, duration and title, and whether any differs.
func detailChanges(oc *oncall.Appointment, ehr *carelogic.Appointment, p ReversePolicy) (carelogic.Appointment, bool) {
	upd := ehr.Clone()
	changed := false
	if !oc.DateTime.IsZero() && !oc.DateTime.Equal(ehr.Start.Truncate(time.Second)) {
		upd.Start, changed = oc.DateTime, true
	}
	if d := time.Duration(oc.Duration) * time.Minute; oc.Duration > 0 && minutes(ehr.Duration) != oc.Duration {
		upd.Duration, changed = d, true
	}
	if t := strings.TrimSpace(oc.Title); t != "" && t != strings.TrimSpace(ehr.Activity) {
		upd.Activity, changed = t, true
	}
	if staff, ok := p.Staff[oc.Provider]; ok && staff != ehr.ProviderID {
		upd.ProviderID, changed = staff, true
	}
	return upd, changed
}

// ehrFromOnCall builds the EHR appointment for an OnCall booking. Participants get client ids derived from
// their OnCall participant ids ("oncall-participant-56"), since OnCall knows nothing of EHR ids; an adapter that
// can resolve clients by email should do so when it creates the appointment.
func ehrFromOnCall(oc *oncall.Appointment, p ReversePolicy) (carelogic.Appointment, bool) {
	var mod carelogic.Modality
	switch oc.Type {
	case oncall.TypeOnline:
		mod = carelogic.Video
	case oncall.TypeInPerson:
		mod = carelogic.InPerson
	default:
		return carelogic.Appointment{}, false
	}
	a := carelogic.Appointment{
		Source:     p.Source,
		Kind:       carelogic.Individual,
		Modality:   mod,
		ProviderID: p.Staff[oc.Provider],
		Start:      oc.DateTime,
		Duration:   time.Duration(oc.Duration) * time.Minute,
		Activity:   oc.Title,
		OnCallURL:  oc.URL,
	}
	if len(oc.Participants) > 1 {
		a.Kind = carelogic.Group
	}
	for _, op := range oc.Participants {
		a.Participants = append(a.Participants, carelogic.Participant{
			ClientID: fmt.Sprintf("oncall-participant-%d", op.ID), Name: op.Name, Email: op.Email,
		})
	}
	return a, len(a.Participants) > 0
}

// EHRApplier carries OnCall's changes to the EHR: from a webhook delivery (HandleAppointment, with the appointment
// freshly read) or from a listing pass (Sync). It is safe for concurrent use where its adapter is.
type EHRApplier struct {
	// Adapter is the EHR. Writes need the optional interfaces: carelogic.StatusWriter for statuses and comments,
	// carelogic.URLStore for URLs, carelogic.AppointmentWriter for creates and updates. An action whose interface
	// the adapter lacks is reported as skipped, not failed.
	Adapter carelogic.Adapter
	// Client, if set, lets CreateInEHR write the new EHR id into the OnCall appointment's metadata.
	Client *oncall.Client
	Policy ReversePolicy
	// DryRun plans without writing.
	DryRun bool
}

// EHRResult is what became of one EHRAction.
type EHRResult struct {
	EHRAction
	Outcome Outcome `json:"outcome"`
	// Err is the failure itself, for errors.Is and errors.As; nil unless Outcome is failed or not-run.
	Err error `json:"-"`
	// Error describes the failure for a report. An error of the EHR Adapter is described without its text,
	// which may quote patient data: see Err for it.
	Error string `json:"error,omitempty"`
}

// HandleAppointment looks up the EHR appointment that oc's metadata names, plans with PlanEHR, and applies the
// plan. It returns what it did; the error is the first failure, for a webhook handler to answer with a 5xx so
// that OnCall delivers the event again.
func (x *EHRApplier) HandleAppointment(ctx context.Context, oc *oncall.Appointment) ([]EHRResult, error) {
	var ehr *carelogic.Appointment
	if id, ok := oc.Metadata.String(KeyEMRID); ok && id != "" {
		a, err := x.Adapter.Appointment(ctx, id)
		switch {
		case err == nil:
			src, _ := oc.Metadata.String(KeyEMRSource)
			if a.Source == src {
				ehr = &a
			}
		case errors.Is(err, carelogic.ErrNotFound):
		default:
			return nil, fmt.Errorf("syncer: reading EHR appointment %s: %w", redact.ID(id), err)
		}
	}
	return x.apply(ctx, oc, PlanEHR(oc, ehr, x.Policy))
}

// Sync handles every OnCall appointment of a listing pass (for example client.Appointments.All), returning what
// it did and the first failure. It stops at the listing's error.
func (x *EHRApplier) Sync(ctx context.Context, appts iter.Seq2[*oncall.Appointment, error]) ([]EHRResult, error) {
	var all []EHRResult
	var first error
	for oc, err := range appts {
		if err != nil {
			return all, err
		}
		res, err := x.HandleAppointment(ctx, oc)
		all = append(all, res...)
		if err != nil && first == nil {
			first = err
		}
	}
	return all, first
}

var errUnsupported = errors.New("the EHR adapter cannot do this")

func (x *EHRApplier) apply(ctx context.Context, oc *oncall.Appointment, acts []EHRAction) ([]EHRResult, error) {
	out := make([]EHRResult, 0, len(acts))
	var first error
	for _, a := range acts {
		res := EHRResult{EHRAction: a, Outcome: OutcomeApplied}
		if x.DryRun {
			res.Outcome = OutcomePlanned
			out = append(out, res)
			continue
		}
		err := x.applyOne(ctx, oc, a)
		switch {
		case errors.Is(err, errUnsupported):
			res.Outcome, res.Err, res.Error = OutcomeNotRun, err, err.Error()
		case err != nil:
			res.Outcome, res.Err, res.Error = OutcomeFailed, err, reportText(err)
			if first == nil {
				first = fmt.Errorf("syncer: %s for OnCall appointment %d: %w", a.Kind, oc.ID, err)
			}
		}
		out = append(out, res)
	}
	return out, first
}

func (x *EHRApplier) applyOne(ctx context.Context, oc *oncall.Appointment, a EHRAction) error {
	switch a.Kind {
	case EHRSetStatus, EHRComment:
		w, ok := x.Adapter.(carelogic.StatusWriter)
		if !ok {
			return errUnsupported
		}
		if a.Kind == EHRComment {
			return fromAdapter(w.AddComment(ctx, a.EHRID, a.Comment))
		}
		return fromAdapter(w.SetParticipantStatus(ctx, a.EHRID, a.Client, a.Status))
	case EHRStoreURL:
		s, ok := x.Adapter.(carelogic.URLStore)
		if !ok {
			return errUnsupported
		}
		return fromAdapter(s.SetOnCallURL(ctx, a.EHRID, a.URL))
	case EHRUpdate:
		w, ok := x.Adapter.(carelogic.AppointmentWriter)
		if !ok {
			return errUnsupported
		}
		return fromAdapter(w.UpdateAppointment(ctx, *a.Appointment))
	case EHRCreate:
		w, ok := x.Adapter.(carelogic.AppointmentWriter)
		if !ok {
			return errUnsupported
		}
		if x.Client == nil {
			// Without the EHR id written back to OnCall, every later delivery would create another EHR appointment.
			return errors.New("CreateInEHR needs EHRApplier.Client, to record the new EHR id on the OnCall appointment")
		}
		created, err := w.CreateAppointment(ctx, *a.Appointment)
		if err != nil {
			return fromAdapter(err)
		}
		// Record the EHR id on the OnCall appointment, so that both directions match it from now on.
		md := maps.Clone(oc.Metadata)
		if md == nil {
			md = oncall.Metadata{}
		}
		maps.Copy(md, baseMetadata(&created))
		_, err = x.Client.Appointments.Update(ctx, oc.ID, &oncall.AppointmentUpdateParams{Metadata: md})
		return err
	}
	return fmt.Errorf("unknown EHR action %q", a.Kind)
}
