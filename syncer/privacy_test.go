package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/phitest"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// leakyEHR is an EHR adapter whose own errors quote patient data, as a database driver's may: the sync must
// never carry their text into a report or a log.
type leakyEHR struct {
	*carelogic.Memory
	failReads bool
}

var errLeaky = errors.New("db: row locked for " + phitest.Names[0] + " <" + phitest.Emails[0] + ">, phone " + phitest.Phones[0])

func (l leakyEHR) Appointment(ctx context.Context, id string) (carelogic.Appointment, error) {
	if l.failReads {
		return carelogic.Appointment{}, errLeaky
	}
	return l.Memory.Appointment(ctx, id)
}

func (l leakyEHR) SetOnCallURL(context.Context, string, string) error { return errLeaky }

func (l leakyEHR) SetParticipantStatus(context.Context, string, string, carelogic.Status) error {
	return errLeaky
}

// plantPHI puts the planted values wherever an EHR row can carry one: names and emails, a phone number where an
// email belongs, a name in the status and kind columns and, when staff is not empty, staff in the staff id column
// (a shifted column), on a copy of appts.
func plantPHI(appts []carelogic.Appointment, staff string) []carelogic.Appointment {
	out := make([]carelogic.Appointment, len(appts))
	for i, a := range appts {
		a = a.Clone()
		for j := range a.Participants {
			p := &a.Participants[j]
			p.Name = phitest.Names[(i+j)%len(phitest.Names)]
			if j == 0 {
				p.Email = phitest.Emails[i%len(phitest.Emails)]
				if i%2 == 1 {
					p.Email = strings.ReplaceAll(p.Email, "@", fmt.Sprintf("+%d@", i)) // one client per address
				}
			}
		}
		// A name in the source column, an email as a client id: keys and client ids in reports and logs.
		switch a.ID {
		case "appt-102":
			a.Source = phitest.Names[2]
		case "appt-109", "appt-301":
			a.Participants[0].ClientID = phitest.Emails[1]
		}
		if staff != "" && (i%7 == 3 || a.ID == "appt-112") { // appt-112 is created by the edit: its create needs one
			a.ProviderID = staff // no provider mapped for it
		}
		switch i % 7 {
		case 1:
			if a.Kind == carelogic.Group && len(a.Participants) > 1 {
				a.Participants[1].Email = phitest.Phones[0] // not an email: "not invited"
			}
		case 2:
			a.Participants[0].Status = carelogic.Status(phitest.Names[1]) // a custom status
		case 4:
			a.Kind = carelogic.Kind(phitest.Names[3]) // invalid: needs attention
		}
		out[i] = a
	}
	return out
}

// TestPrivacyUnderFaults runs the whole sync (several passes, an edit, a dry run, the OnCall-to-EHR direction)
// at Debug level against a fake that fails 20% of requests, over an EHR full of planted patient data and an
// adapter whose errors quote it, and greps every text it produced (reports as text and JSON, errors, the
// runner's and the client's logs) for the names, emails, phone numbers and the token. Issue 12.
func TestPrivacyUnderFaults(t *testing.T) {
	t.Parallel()
	const token = "tok-privacy-8c1d5e"
	var logged bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(lockedBuffer{&logged, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, plantPHI(carelogic.DemoSchedule(e2eNow), ""), harnessConfig{
		server: []oncalltest.Option{oncalltest.WithToken(token)},
		client: []oncall.Option{oncall.WithLogger(log)},
	})
	if err := h.srv.SetFaults(oncalltest.Faults{Seed: 5, Rate: 0.2, Kinds: oncalltest.FaultKinds(), Latency: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	ehr := leakyEHR{Memory: h.mem, failReads: true}
	r := &syncer.Runner{Client: h.client, Concurrency: 4, Logger: log}
	var out strings.Builder
	record := func(rep *syncer.Report, err error) {
		if err != nil {
			out.WriteString(err.Error() + "\n" + fmt.Sprintf("%+v\n", err))
		}
		if rep == nil {
			return
		}
		out.WriteString(rep.String())
		b, jerr := rep.JSON()
		if jerr != nil {
			t.Fatal(jerr)
		}
		out.Write(b)
	}
	for range 3 {
		record(r.Sync(t.Context(), ehr, h.window, h.policy))
	}
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		return plantPHI(carelogic.DemoEdits(a), phitest.Names[0])
	})
	record((&syncer.Runner{Client: h.client, DryRun: true, Logger: log}).Sync(t.Context(), ehr, h.window, h.policy))
	for range 3 {
		record(r.Sync(t.Context(), ehr, h.window, h.policy))
	}
	// The other direction: patients cancel in OnCall, and the adapter's writes fail with patient data in their
	// text. The results' texts are the report's; the error HandleAppointment returns wraps the adapter's own, for
	// the caller, and is not checked.
	h.srv.ClearFaults()
	cancelled := 0
	for _, a := range h.srv.Appointments() {
		if _, ok := a.Metadata.String("emr_id"); ok && !a.Cancelled && cancelled < 3 {
			if err := h.srv.CancelAsPatient(a.ID, "because "+phitest.Names[0]+" is unwell"); err == nil {
				cancelled++
			}
		}
	}
	x := &syncer.EHRApplier{Adapter: leakyEHR{Memory: h.mem}}
	failedWrites := 0
	for oc, err := range h.client.Appointments.All(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		res, _ := x.HandleAppointment(t.Context(), oc)
		for _, r := range res {
			if r.Outcome == syncer.OutcomeFailed {
				failedWrites++
			}
			out.WriteString(r.Error + "\n")
		}
	}
	if failedWrites == 0 {
		t.Errorf("no EHR write failed after %d patient cancellations: the reverse direction's texts were not checked", cancelled)
	}
	mu.Lock()
	out.Write(logged.Bytes())
	mu.Unlock()
	text := out.String()

	for _, want := range []string{"cl-", "needs attention", "not invited", "custom status (a value of", "provider mapped",
		"error text is not shown", `"level":"DEBUG"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the output never says %q: the planted data did not reach the path this test means to check", want)
		}
	}
	if counts := h.srv.FaultCounts(); len(counts) == 0 {
		t.Error("no fault was injected")
	}
	phitest.Check(t, "sync output", []string{text}, append(demoPHI(), token, errLeaky.Error())...)
}

type lockedBuffer struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
