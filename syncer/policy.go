package syncer

import (
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// Policy says how Plan turns EHR appointments into OnCall changes. Its zero value, with a Division, is the default:
// CareLogic's documented behaviour for statuses, plus the workflows that integration leaves to staff, done
// automatically; each of those can be turned off (the Disable fields), and a few things beyond it turned on.
// DefaultPolicy(division) is Policy{Division: division}. (The switches are named for turning a default off, as
// net/http's are, so that a Policy written field by field cannot lose a safeguard by leaving a field out.)
type Policy struct {
	// Division is the OnCall division new appointments are created in. Required for creates.
	Division oncall.DivisionID
	// Providers maps EHR staff ids (CareLogic Staff ID) to OnCall providers. An appointment whose provider is not
	// mapped is created with DefaultProvider, or skipped with a reason when that is zero; an update leaves the
	// OnCall provider as it is.
	Providers map[string]oncall.ProviderID
	// DefaultProvider is used for unmapped staff ids when non-zero.
	DefaultProvider oncall.ProviderID
	// DefaultTitle is the title of an appointment whose EHR activity is empty (OnCall requires a title); empty means
	// "Appointment".
	DefaultTitle string
	// Fee, if set, is every new participant's fee; the zero Decimal leaves the division's default.
	Fee oncall.Decimal
	// Now is the present, for the rules about past appointments (none is created, an orphan that has started is
	// not cancelled, an email change does not reach one that has started). Runner.Sync uses the clock when it is
	// zero; set it to replay an old feed, or in tests. Plan, which does no I/O, takes the zero time to mean that
	// nothing is past.
	Now time.Time

	// DisableRecreate leaves a 1:1 whose client changed in the EHR as it is, for staff to error out and rebook by
	// hand, as the CareLogic integration does. By default it is cancelled and recreated for the new client.
	DisableRecreate bool
	// DisableEmailPropagation leaves a client's changed email for staff to carry to each appointment by hand, as the
	// CareLogic integration does. By default it is carried to every future appointment they are on.
	DisableEmailPropagation bool
	// StatusChangesAfterFinal lets a later status change sync after DNS, CBT or CBC has been set. CareLogic's
	// integration does not ("Subsequent status changes won't sync"), and nor does the default.
	StatusChangesAfterFinal bool
	// DisableCreateHold creates an EHR appointment even when an OnCall appointment without EHR metadata looks like
	// it (same provider and date, and the same title or a shared participant). By default the create is held back:
	// the look-alike was probably booked in OnCall by hand, and creating another would send the patient a second
	// invitation; it is reported for review, never linked automatically.
	DisableCreateHold bool
	// DisableOrphanCancel leaves alone future OnCall appointments that carry this sync's EHR metadata but whose EHR
	// appointment is gone from the window that was read (deleted outright rather than marked). By default they are
	// cancelled.
	DisableOrphanCancel bool
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

// DefaultPolicy returns the default policy for the division: Policy{Division: division}.
func DefaultPolicy(division oncall.DivisionID) Policy {
	return Policy{Division: division}
}
