package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/oncall/webhook"
	"github.com/oncallsync/oncall-go/syncer"
)

// The demo's EHR: one provider, a 1:1 and a group. The names are plainly invented and the emails are on
// example.com and example.org, domains reserved for documentation; the report prints neither.
const (
	demoStaff    = "staff-101"
	demoOneToOne = "appt-701"
	demoGroup    = "appt-702"
	// demoLeaver is the group member who withdraws in OnCall.
	demoLeaver = "cl-3012"
	// demoReason is what the 1:1's patient types in OnCall's app when cancelling: the patient's own words, which
	// the demo prints because it made them up. A real receiver would not print them.
	demoReason = "Car trouble, will call to rebook."
)

// demo runs the OnCall-to-EHR story against the fake, printing a report of each step.
func demo(ctx context.Context, cfg *config, stdout io.Writer) error {
	now := time.Now().UTC().Truncate(time.Minute)
	ehr := carelogic.NewMemory(demoSchedule(now)...)
	env, err := startDemo(cfg, ehr)
	if err != nil {
		return err
	}
	defer env.Close()
	w := &reportWriter{w: stdout}
	w.printf("OnCall to EHR: changes made in OnCall, carried back to a CareLogic EHR (in memory)\n")
	w.printf("OnCall: fake server at %s; webhooks posted to %s\n", env.srv.URL(), env.hookURL)
	if cfg.verifier != nil {
		w.printf("Every delivery must carry the %s header.\n", cfg.secretHeader)
	}

	oncallIDs, err := env.syncFirst(ctx, w, now)
	if err != nil {
		return err
	}
	delivered, hs, err := env.actInOnCall(ctx, w, oncallIDs)
	if err != nil {
		return err
	}
	env.showEHR(w, hs, oncallIDs)
	if err := env.replay(ctx, w, delivered); err != nil {
		return err
	}
	return w.err
}

// demoSchedule returns the demo's EHR appointments, both starting the day after now.
func demoSchedule(now time.Time) []carelogic.Appointment {
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	group := carelogic.Appointment{
		ID: demoGroup, Source: carelogic.DemoSource, Kind: carelogic.Group, Modality: carelogic.Video,
		ProviderID: demoStaff, Start: tomorrow.Add(15 * time.Hour), Duration: 90 * time.Minute,
		Activity: "DBT Skills Group",
	}
	for n := 1; n <= 4; n++ {
		group.Participants = append(group.Participants, carelogic.Participant{
			ClientID: fmt.Sprintf("cl-%d", 3010+n),
			Name:     fmt.Sprintf("Group Member %02d", n),
			Email:    fmt.Sprintf("member%02d@example.org", n),
		})
	}
	return []carelogic.Appointment{{
		ID: demoOneToOne, Source: carelogic.DemoSource, Kind: carelogic.Individual, Modality: carelogic.Video,
		ProviderID: demoStaff, Start: tomorrow.Add(10 * time.Hour), Duration: 50 * time.Minute,
		Activity:     "Individual Therapy",
		Participants: []carelogic.Participant{{ClientID: "cl-3001", Name: "Riley Example", Email: "riley.example@example.com"}},
	}, group}
}

// demoEnv is what the demo runs on: the EHR, the fake OnCall server, a client of it, and the webhook receiver.
type demoEnv struct {
	cfg     *config
	ehr     *carelogic.Memory
	srv     *oncalltest.Server
	client  *oncall.Client
	rec     *receiver
	hook    *httptest.Server
	hookURL string
}

// Close stops the fake and the receiver.
func (e *demoEnv) Close() {
	// The fake first, so that no webhook is in flight when the receiver closes.
	e.srv.Close()
	e.hook.Close()
}

// startDemo starts the fake OnCall server and a webhook receiver registered with it, whose callback writes to ehr.
func startDemo(cfg *config, ehr *carelogic.Memory) (*demoEnv, error) {
	var opts []oncalltest.Option
	if cfg.verifier != nil {
		opts = append(opts, oncalltest.WithWebhookHeader(cfg.secretHeader, cfg.secret))
	}
	srv := oncalltest.NewServer(opts...)
	// The fake has no rate limit of its own; the client's is raised so the demo runs at loopback speed.
	client, err := srv.Client(oncall.WithRateLimit(500, 50))
	if err != nil {
		srv.Close()
		return nil, err
	}
	rec := &receiver{applier: &syncer.EHRApplier{Adapter: ehr}}
	var hopts []webhook.Option
	if cfg.verifier != nil {
		hopts = append(hopts, webhook.WithVerifier(cfg.verifier))
	}
	h, err := webhook.NewHandler(client, rec.callback, hopts...)
	if err != nil {
		srv.Close()
		return nil, err
	}
	hook := httptest.NewServer(onPath(cfg.path, h))
	// Registered as OnCall's customer success team registers a customer's URL: from now on, every change to an
	// appointment in OnCall, the sync's own included, is posted to the receiver.
	srv.SetWebhookURL(hook.URL + cfg.path)
	return &demoEnv{cfg: cfg, ehr: ehr, srv: srv, client: client, rec: rec, hook: hook, hookURL: hook.URL + cfg.path}, nil
}

// waitWebhooks waits for the fake to deliver every webhook queued so far, and checks that each was answered 2xx.
func (e *demoEnv) waitWebhooks(ctx context.Context, from int) ([]oncalltest.WebhookDelivery, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := e.srv.WaitWebhooks(ctx); err != nil {
		return nil, err
	}
	all := e.srv.WebhookDeliveries()
	ds := all[min(from, len(all)):]
	for _, d := range ds {
		if !d.Delivered {
			return nil, fmt.Errorf("webhook %s %s was not delivered: status %d %s", d.Event, d.URL, d.StatusCode, d.Err)
		}
	}
	return ds, nil
}

// syncFirst brings OnCall in line with the EHR, as the main job (examples/sync) does, and returns the OnCall id
// of each EHR appointment by key.
func (e *demoEnv) syncFirst(ctx context.Context, w *reportWriter, now time.Time) (map[string]oncall.AppointmentID, error) {
	div := e.srv.AddDivision("Demo clinic")
	policy := syncer.DefaultPolicy(div)
	policy.Now = now
	policy.Providers = map[string]oncall.ProviderID{
		demoStaff: e.srv.AddProvider("Provider "+demoStaff, demoStaff+"@clinic.example.org", div),
	}
	window := syncer.Window{From: now.AddDate(0, 0, -1), To: now.AddDate(0, 0, 30)}
	rep, err := (&syncer.Runner{Client: e.client}).Sync(ctx, e.ehr, window, policy)
	if err != nil {
		return nil, fmt.Errorf("syncing the EHR to OnCall: %w", err)
	}
	if failed := rep.FailedActions(); len(failed) > 0 {
		return nil, fmt.Errorf("syncing the EHR to OnCall: %d actions failed, the first: %s", len(failed), failed[0].Error)
	}
	ids := map[string]oncall.AppointmentID{}
	for _, a := range rep.Actions {
		if a.Created != 0 {
			ids[a.Key] = a.Created
		}
	}
	echoes, err := e.waitWebhooks(ctx, 0)
	if err != nil {
		return nil, err
	}

	w.printf("\n== 1. The EHR and OnCall in sync\n")
	w.printf("The EHR's schedule, synced to OnCall as the main job (examples/sync) does:\n")
	for _, a := range e.ehr.All() {
		id, ok := ids[a.Key()]
		if !ok {
			return nil, fmt.Errorf("the sync created no OnCall appointment for %s", a.Key())
		}
		w.printf("  %-24s %-5s %s  %d client(s)  -> OnCall %d\n", a.Key(), kindLabel(a.Kind), a.Start.Format(timeLayout), len(a.Participants), id)
	}
	changes := 0
	for _, h := range e.rec.since(0) {
		for _, r := range h.Results {
			if r.Kind != syncer.EHRStoreURL {
				changes++
			}
		}
	}
	if changes == 0 {
		w.printf("OnCall sent %d webhooks for the sync's own writes; read back, they asked for no EHR status or comment change.\n", len(echoes))
	} else {
		w.printf("OnCall sent %d webhooks for the sync's own writes; read back, they made %d EHR changes.\n", len(echoes), changes)
	}
	return ids, nil
}

// actInOnCall plays two patients using OnCall's app, and returns the webhooks that OnCall sent for them and what
// the receiver did with each.
func (e *demoEnv) actInOnCall(ctx context.Context, w *reportWriter, ids map[string]oncall.AppointmentID) ([]oncalltest.WebhookDelivery, []handled, error) {
	one, err := e.ehr.Appointment(ctx, demoOneToOne)
	if err != nil {
		return nil, nil, err
	}
	grp, err := e.ehr.Appointment(ctx, demoGroup)
	if err != nil {
		return nil, nil, err
	}
	oneID, grpID := ids[one.Key()], ids[grp.Key()]
	// The group member's OnCall participant is found by the email the sync invited them with; only its id is shown.
	leaver := grp.Participant(demoLeaver)
	oc, err := e.client.Appointments.Get(ctx, grpID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(oc.Participants, func(p oncall.Participant) bool { return strings.EqualFold(p.Email, leaver.Email) })
	if i < 0 {
		return nil, nil, fmt.Errorf("OnCall appointment %d has no participant for EHR client %s", grpID, demoLeaver)
	}
	part := oc.Participants[i].ID

	mark, hmark := len(e.srv.WebhookDeliveries()), e.rec.count()
	if err := e.srv.CancelAsPatient(oneID, demoReason); err != nil {
		return nil, nil, err
	}
	if err := e.srv.CancelParticipantAsPatient(part, "Schedule conflict."); err != nil {
		return nil, nil, err
	}
	delivered, err := e.waitWebhooks(ctx, mark)
	if err != nil {
		return nil, nil, err
	}

	w.printf("\n== 2. Meanwhile, in OnCall\n")
	w.printf("  - The patient of 1:1 %d (EHR client %s) cancels in OnCall's app, giving a reason.\n", oneID, one.Participants[0].ClientID)
	w.printf("  - Participant %d of group %d (EHR client %s) withdraws in OnCall's app, giving a reason too.\n", part, grpID, demoLeaver)
	w.printf("OnCall sent %d webhooks, and the receiver answered each once the EHR was written:\n", len(delivered))
	for _, d := range delivered {
		w.printf("  %s %s -> %d %s\n", d.Event, d.URL, d.StatusCode, http.StatusText(d.StatusCode))
	}
	return delivered, e.rec.since(hmark), nil
}

// showEHR prints what the EHRApplier wrote for the deliveries, and the EHR records as they are now.
func (e *demoEnv) showEHR(w *reportWriter, hs []handled, ids map[string]oncall.AppointmentID) {
	w.printf("\n== 3. What reached the EHR\n")
	for _, h := range hs {
		w.printf("  %s\n", h)
	}
	w.printf("The EHR now:\n")
	for _, a := range e.ehr.All() {
		w.printf("  %s  %s  %s  (OnCall %d)\n", a.Key(), kindLabel(a.Kind), a.Start.Format(timeLayout), ids[a.Key()])
		for _, p := range a.Participants {
			w.printf("    client %-8s %s\n", p.ClientID, statusLabel(p.Status))
		}
		if a.Comments != "" {
			w.printf("    comments:   %q\n", a.Comments)
		}
		w.printf("    OnCall URL: %s\n", a.OnCallURL)
	}
	w.printf("The patients' reasons stay in OnCall: its documented API gives none (an appointment's \"cancellation\"\n" +
		"field is an opaque link, not text), so the EHR's comments are left as they are.\n")
}

// replay posts the deliveries again, as OnCall may, and shows that the EHR does not change.
func (e *demoEnv) replay(ctx context.Context, w *reportWriter, delivered []oncalltest.WebhookDelivery) error {
	before := e.ehr.All()
	mark := e.rec.count()
	w.printf("\n== 4. The same deliveries again\n")
	w.printf("OnCall may deliver an event more than once. Posting the %d deliveries again:\n", len(delivered))
	for _, d := range delivered {
		code, err := e.post(ctx, d.Event, d.URL, true)
		if err != nil {
			return err
		}
		hs := e.rec.since(mark)
		mark += len(hs)
		line := fmt.Sprintf("  %s %s -> %d %s", d.Event, d.URL, code, http.StatusText(code))
		if len(hs) == 1 && len(hs[0].Results) == 0 && hs[0].Err == nil {
			line += ": nothing to change in the EHR"
		} else {
			for _, h := range hs {
				line += "; " + h.String()
			}
		}
		w.printf("%s\n", line)
	}
	if reflect.DeepEqual(before, e.ehr.All()) {
		w.printf("The EHR is unchanged: each delivery is handled from a fresh read of the appointment, so a repeat is harmless.\n")
	} else {
		w.printf("The EHR CHANGED on a repeated delivery.\n")
	}
	if e.cfg.verifier != nil && len(delivered) > 0 {
		code, err := e.post(ctx, delivered[0].Event, delivered[0].URL, false)
		if err != nil {
			return err
		}
		w.printf("The same delivery without the %s header -> %d %s\n", e.cfg.secretHeader, code, http.StatusText(code))
	}
	return nil
}

// post sends one delivery to the receiver, as OnCall would, and returns the status it answered.
func (e *demoEnv) post(ctx context.Context, event, apptURL string, withSecret bool) (int, error) {
	body, err := json.Marshal(map[string]string{"event": event, "url": apptURL})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.hookURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if withSecret && e.cfg.verifier != nil {
		req.Header.Set(e.cfg.secretHeader, e.cfg.secret)
	}
	resp, err := e.hook.Client().Do(req)
	if err != nil {
		return 0, fmt.Errorf("posting a delivery again: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// timeLayout prints times to the minute, in UTC.
const timeLayout = "2006-01-02T15:04Z"

func kindLabel(k carelogic.Kind) string {
	if k == carelogic.Individual {
		return "1:1"
	}
	return string(k)
}

func statusLabel(s carelogic.Status) string {
	if s == "" {
		return string(carelogic.StatusScheduled)
	}
	return string(s)
}

// reportWriter writes the report, keeping the first error so that the steps need not check each line.
type reportWriter struct {
	w   io.Writer
	err error
}

func (r *reportWriter) printf(format string, args ...any) {
	if r.err != nil {
		return
	}
	_, r.err = fmt.Fprintf(r.w, format, args...)
}
