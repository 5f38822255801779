package syncer

import (
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// Policy says how Plan turns EHR appointments into OnCall changes. DefaultPolicy is CareLogic's documented
// behaviour for statuses, plus the workflows that integration leaves to staff, done automatically.
type Policy struct {
	// Division is the OnCall division new appointments are created in. Required for creates.
	Division oncall.DivisionID
	// Providers maps EHR staff ids (CareLogic Staff ID) to OnCall providers. An appointment whose provider is not
	// mapped is created with DefaultProvider, or skipped with a reason when that is zero; an update leaves the
	// OnCall provider as it is.
	Providers map[string]oncall.ProviderID
	// DefaultProvider is used for unmapped staff ids when non-zero.
	DefaultProvider oncall.ProviderID
	// DefaultTitle is the title of an appointment whose EHR activity is empty (OnCall requires a title).
	DefaultTitle string
	// Fee, if set, is every new participant's fee; the zero Decimal leaves the division's default.
	Fee oncall.Decimal
	// Now is the present, for the rules about past appointments. The zero time means "no appointment is past".
	Now time.Time

	// RecreateOnClientChange cancels and recreates a 1:1 whose client changed in the EHR. CareLogic's
	// integration leaves staff to error the appointment out and book a new one by hand. Default true.
	RecreateOnClientChange bool
	// PropagateEmail carries a client's changed email to every future appointment they are on. CareLogic's
	// integration leaves staff to update each appointment by hand. Default true.
	PropagateEmail bool
	// StatusChangesAfterFinal lets a later status change sync after DNS, CBT or CBC has been set. CareLogic's
	// integration does not ("Subsequent status changes won't sync"), and nor does the default.
	StatusChangesAfterFinal bool
	// HoldCreateOnCandidate holds back the create of an EHR appointment when an OnCall appointment without EHR
	// metadata looks like it (same provider, date, title and a shared participant): it was probably booked in
	// OnCall by hand, and creating another would send the patient a second invitation. The candidate is reported
	// for review, never linked automatically. Default true.
	HoldCreateOnCandidate bool
	// CancelOrphans cancels future OnCall appointments that carry this sync's EHR metadata but whose EHR
	// appointment is gone from the window that was read (deleted outright rather than marked). Default true.
	CancelOrphans bool
	// CompleteWhenKept sets an appointment's status to Complete once the EHR marks its clients Kept (every client
	// Kept, apart from those who left it: Error, CBC, CBT). The CareLogic integration leaves staff to click
	// Complete in OnCall. Completing may charge the appointment's fees, which is why it is off by default.
	CompleteWhenKept bool
	// UndocumentedParticipantAPI plans with the participant extension (see oncall/undocumented.go): DNS, CBT and
	// CBC as a participant "status" field, and participants added, changed and removed through /participants/.
	// OnCall documents neither; a server without them answers 405 or ignores the field. Off by default, which
	// uses only the documented API: a 1:1's outcome is the appointment's status, a group client's cancellation
	// their participant's cancelled flag, and who is on an appointment its participants list. A group client's
	// DNS has no documented field: it is reported once and recorded, never sent.
	UndocumentedParticipantAPI bool
}

// DefaultPolicy returns the default policy for the division.
func DefaultPolicy(division oncall.DivisionID) Policy {
	return Policy{
		Division:               division,
		DefaultTitle:           "Appointment",
		RecreateOnClientChange: true,
		PropagateEmail:         true,
		HoldCreateOnCandidate:  true,
		CancelOrphans:          true,
	}
}
