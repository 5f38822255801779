package syncer

import "github.com/oncallsync/oncall-go/carelogic"

// valid reports whether a is certainly one carelogic's Validate accepts, checking its rules without allocating:
// Validate builds a map of a group's client ids, on every appointment of every plan. It answers false when unsure
// (an appointment with more clients than a group may hold), and also for every appointment Validate refuses; the
// planner then asks Validate, whose error says what is wrong. TestValidAgreesWithValidate holds the two together.
func valid(a *carelogic.Appointment) bool {
	if a.ID == "" || a.Start.IsZero() || a.Duration <= 0 {
		return false
	}
	if a.Modality != carelogic.Video && a.Modality != carelogic.InPerson {
		return false
	}
	n := len(a.Participants)
	switch a.Kind {
	case carelogic.Individual:
		if n != 1 {
			return false
		}
	case carelogic.Group:
		if n == 0 || n > carelogic.MaxGroupParticipants {
			return false // past the limit it depends on who is marked Error: Validate counts them
		}
	default:
		return false
	}
	for i := range a.Participants {
		id := a.Participants[i].ClientID
		if id == "" {
			return false
		}
		for j := range i {
			if a.Participants[j].ClientID == id {
				return false
			}
		}
	}
	return true
}
