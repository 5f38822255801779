package carelogic

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadJSONTestdata(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	est := time.FixedZone("", -5*3600)
	want := []Appointment{
		{
			ID: "appt-9001", Source: "clinic-east", Kind: Individual, Modality: Video, ProviderID: "staff-101",
			Start: time.Date(2030, 3, 4, 9, 0, 0, 0, est), Duration: 50 * time.Minute, Activity: "Individual Therapy",
			Participants: []Participant{{ClientID: "cl-1", Name: "Avery Example", Email: "avery.example@example.com"}},
		},
		{
			ID: "appt-9002", Source: "clinic-east", SeriesID: "series-77", Kind: Group, Modality: InPerson,
			ProviderID: "staff-102", Start: time.Date(2030, 3, 5, 18, 30, 0, 0, time.UTC), Duration: 90 * time.Minute,
			Activity: "DBT Skills Group",
			Participants: []Participant{
				{ClientID: "cl-2", Name: "Blake Sample", Email: "blake.sample@example.org", Status: StatusScheduled},
				{ClientID: "cl-3", Name: "Casey Placeholder", Email: "casey.placeholder@example.org", Status: StatusDNS},
				{ClientID: "cl-4", Name: "Devon Testcase", Email: "devon.testcase@example.org", Status: "Checked-in"},
			},
			Comments:  "Room 4 & the video link are in the invitation",
			UpdatedAt: time.Date(2030, 2, 20, 13, 3, 0, 500_000_000, time.UTC),
		},
		{
			ID: "appt-9003", Kind: Individual, Modality: InPerson,
			Start: time.Date(2030, 3, 6, 2, 45, 0, 0, time.UTC), Duration: 30 * time.Minute,
			Participants: []Participant{{ClientID: "cl-5", Status: StatusCBC}},
			Comments:     "Client cancelled: travelling",
			OnCallURL:    "https://api.oncallhealth.ca/appointments/123/",
			Deleted:      true,
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// cmp compares times as instants; the offset as written must be kept too, whatever the machine's zone.
	if _, off := got[0].Start.Zone(); off != -5*3600 {
		t.Errorf("start offset = %d s, want -18000", off)
	}
	if loc := got[1].Start.Location(); loc != time.UTC {
		t.Errorf("a Z time is in %v, want UTC", loc)
	}
}

// docExample returns the JSON example from the package documentation's "JSON schedule format" section.
func docExample(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(src), "\n// # JSON schedule format\n")
	if !ok {
		t.Fatal(`doc.go has no "# JSON schedule format" section`)
	}
	section, _, _ = strings.Cut(section, "\n// # ")
	var b strings.Builder
	for line := range strings.Lines(section) {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			b.WriteString(code)
		}
	}
	return b.String()
}

func TestReadJSONDocExample(t *testing.T) {
	t.Parallel()
	example := docExample(t)
	got, err := ReadJSON(strings.NewReader(example))
	if err != nil {
		t.Fatalf("the documented example does not read: %v\n%s", err, example)
	}
	if len(got) < 2 {
		t.Fatalf("the documented example holds %d appointments, want a 1:1 and a group", len(got))
	}
	kinds := map[Kind]bool{}
	for _, a := range got {
		kinds[a.Kind] = true
	}
	if !kinds[Individual] || !kinds[Group] {
		t.Errorf("the documented example should show both kinds; has %v", kinds)
	}
	// The example is what WriteJSON writes, so that the documentation shows the canonical form.
	var buf bytes.Buffer
	if err := WriteJSON(&buf, got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(example, buf.String()); diff != "" {
		t.Errorf("the documented example is not in WriteJSON's form (-doc +written):\n%s", diff)
	}
}

// okAppt is a valid appointment object whose client has a recognisable name and email.
const okAppt = `{"id": "a-1", "kind": "individual", "modality": "video", "start": "2030-03-04T09:00:00Z",
 "duration_minutes": 50, "participants": [{"client_id": "c-1", "name": "Secret Name", "email": "secret@example.com"}]}`

// withField returns okAppt with one field replaced (or added), as raw JSON.
func withField(name, value string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(okAppt), &m); err != nil {
		panic(err)
	}
	if value == "" {
		delete(m, name)
	} else {
		m[name] = json.RawMessage(value)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func schedule(appts ...string) string {
	return `{"appointments": [` + strings.Join(appts, ",\n") + `]}`
}

func TestReadJSONErrors(t *testing.T) {
	t.Parallel()
	const p = "carelogic: JSON schedule: "
	tests := []struct {
		name, in, want string
		modality       bool // wraps ErrUnsupportedModality
		validation     bool // wraps a *ValidationError
	}{
		{name: "empty", in: "", want: p + `empty input, want an object with an "appointments" array`},
		{name: "only space", in: " \n\t", want: p + `empty input, want an object with an "appointments" array`},
		{name: "not JSON", in: "hello", want: p + "not valid JSON at line 1, column 1: unexpected letter"},
		{
			name: "syntax error on a later line",
			in:   "{\"appointments\": [\n  {\"id\": \"a\",, }\n]}",
			want: p + "not valid JSON at line 2, column 14: unexpected ','",
		},
		{name: "truncated", in: `{"appointments": [`, want: p + "not valid JSON: input ends in the middle of a value"},
		{name: "trailing data", in: `{"appointments": []}` + "\n [1]", want: p + "unexpected data after the schedule at line 2, column 2"},
		{name: "array at the top", in: `[]`, want: p + `want an object with an "appointments" array`},
		{name: "string at the top", in: `"x"`, want: p + `want an object with an "appointments" array`},
		{name: "unknown top-level field", in: `{"appointments": [], "apointments": []}`, want: p + `unknown field "apointments"`},
		{name: "appointments missing", in: `{}`, want: p + `"appointments" missing`},
		{name: "appointments twice", in: `{"appointments": [], "appointments": []}`, want: p + `"appointments" given twice`},
		{name: "appointments null", in: `{"appointments": null}`, want: p + `"appointments" must be an array`},
		{name: "appointments an object", in: `{"appointments": {}}`, want: p + `"appointments" must be an array`},
		{
			name: "appointment not an object", in: schedule(okAppt, `"a-2"`),
			want: p + "appointments[1]: must be an object", validation: true,
		},
		{
			name: "unknown field, which leaves start missing, and a second invalid appointment",
			in:   schedule(strings.Replace(okAppt, `"start"`, `"strat"`, 1), withField("id", `"a-2"`), withField("id", "")),
			want: p + `appointments[0] (id "a-1"): unknown field "strat"; start: missing` + "\n" +
				p + `appointments[2]: id: missing`,
			validation: true,
		},
		{
			name: "duration as a Go field",
			in:   schedule(strings.Replace(okAppt, `"duration_minutes"`, `"duration"`, 1)),
			want: p + `appointments[0] (id "a-1"): unknown field "duration" (the length is "duration_minutes"); duration_minutes: missing`, validation: true,
		},
		{
			name: "field name that is not a plain word",
			in:   schedule(strings.Replace(okAppt, `"id": "a-1",`, `"id": "a-1", "Secret Name <secret@example.com>": 1,`, 1)),
			want: p + `appointments[0] (id "a-1"): unknown field (a value of 32 characters) (field 2 of the object)`, validation: true,
		},
		{
			name: "field name that is not a plain word, twice",
			in:   schedule(strings.Replace(okAppt, `"id": "a-1",`, `"id": "a-1", "secret@example.com": 1, "secret@example.com": 2,`, 1)),
			want: p + `appointments[0] (id "a-1"): unknown field (a value of 18 characters) (field 2 of the object); ` +
				`unknown field (a value of 18 characters) (field 3 of the object)`,
			validation: true,
		},
		{
			name: "participant field name that is not a plain word, twice",
			in: schedule(withField("participants",
				`[{"client_id": "c-1", "Secret Name": 1, "Secret Name": 1}]`)),
			want: p + `appointments[0] (id "a-1"): participants[0]: unknown field (a value of 11 characters) (field 2 of the object); ` +
				`participants[0]: unknown field (a value of 11 characters) (field 3 of the object)`,
			validation: true,
		},
		{
			name: "unknown participant field",
			in:   schedule(withField("participants", `[{"client_id": "c-1", "emial": "secret@example.com"}]`)),
			want: p + `appointments[0] (id "a-1"): participants[0]: unknown field "emial"`, validation: true,
		},
		{
			name: "field given twice",
			in:   schedule(strings.Replace(okAppt, `"kind": "individual"`, `"kind": "individual", "kind": "group"`, 1)),
			want: p + `appointments[0] (id "a-1"): kind: given twice`, validation: true,
		},
		{
			name: "participant field given twice",
			in:   schedule(withField("participants", `[{"client_id": "c-1", "email": "secret@example.com", "email": "x@example.com"}]`)),
			want: p + `appointments[0] (id "a-1"): participants[0].email: given twice`, validation: true,
		},
		{
			name: "start without offset",
			in:   schedule(withField("start", `"2030-03-04T09:00:00"`)),
			want: p + `appointments[0] (id "a-1"): start: must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"`, validation: true,
		},
		{
			name: "start with a space",
			in:   schedule(withField("start", `"2030-03-04 09:00:00Z"`)),
			want: p + `appointments[0] (id "a-1"): start: must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"`, validation: true,
		},
		{
			name: "start with a one-digit hour",
			in:   schedule(withField("start", `"2030-03-04T9:00:00Z"`)),
			want: p + `appointments[0] (id "a-1"): start: must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"`, validation: true,
		},
		{
			name: "start out of range",
			in:   schedule(withField("start", `"2030-02-30T09:00:00Z"`)),
			want: p + `appointments[0] (id "a-1"): start: must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"`, validation: true,
		},
		{
			name: "start a number",
			in:   schedule(withField("start", `1893747600`)),
			want: p + `appointments[0] (id "a-1"): start: must be a string holding an RFC 3339 time`, validation: true,
		},
		{
			name: "start missing",
			in:   schedule(withField("start", "")),
			want: p + `appointments[0] (id "a-1"): start: missing`, validation: true,
		},
		{
			name: "updated_at bad",
			in:   schedule(withField("updated_at", `"yesterday"`)),
			want: p + `appointments[0] (id "a-1"): updated_at: must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"`, validation: true,
		},
		{
			name: "duration a string",
			in:   schedule(withField("duration_minutes", `"50"`)),
			want: p + `appointments[0] (id "a-1"): duration_minutes: must be a number of minutes`, validation: true,
		},
		{
			name: "duration a Go duration string",
			in:   schedule(withField("duration_minutes", `"50m"`)),
			want: p + `appointments[0] (id "a-1"): duration_minutes: must be a number of minutes`, validation: true,
		},
		{
			name: "duration with a fraction",
			in:   schedule(withField("duration_minutes", `50.5`)),
			want: p + `appointments[0] (id "a-1"): duration_minutes: must be a whole number of minutes, without a fraction or exponent`, validation: true,
		},
		{
			name: "duration zero",
			in:   schedule(withField("duration_minutes", `0`)),
			want: p + `appointments[0] (id "a-1"): duration_minutes: must be positive`, validation: true,
		},
		{
			name: "duration negative",
			in:   schedule(withField("duration_minutes", `-5`)),
			want: p + `appointments[0] (id "a-1"): duration_minutes: must be positive`, validation: true,
		},
		{
			name: "duration too large for a Duration",
			in:   schedule(withField("duration_minutes", `153722867280913`)),
			want: p + `appointments[0] (id "a-1"): duration_minutes: too large`, validation: true,
		},
		{
			name: "duration too large for int64",
			in:   schedule(withField("duration_minutes", `99999999999999999999`)),
			want: p + `appointments[0] (id "a-1"): duration_minutes: too large`, validation: true,
		},
		{
			name: "duration missing",
			in:   schedule(withField("duration_minutes", "")),
			want: p + `appointments[0] (id "a-1"): duration_minutes: missing`, validation: true,
		},
		{
			name: "duration null is missing",
			in:   schedule(withField("duration_minutes", "null")),
			want: p + `appointments[0] (id "a-1"): duration_minutes: missing`, validation: true,
		},
		{
			name: "wrong types",
			in: schedule(`{"id": "a-1", "kind": "individual", "modality": "video", "start": "2030-03-04T09:00:00Z",
				"duration_minutes": 50, "deleted": "yes", "activity": 7,
				"participants": [{"client_id": 12, "name": ["Secret Name"], "email": "secret@example.com"}, "c-2"]}`),
			want: p + `appointments[0] (id "a-1"): deleted: must be true or false; activity: must be a string; ` +
				`participants[0].client_id: must be a string; participants[0].name: must be a string; ` +
				`participants[1]: must be an object; participants: 1:1 has 2 clients, must have exactly 1`,
			validation: true,
		},
		{
			name: "id a number",
			in:   schedule(withField("id", `17`)),
			want: p + `appointments[0]: id: must be a string`, validation: true,
		},
		{
			name: "participants an object",
			in:   schedule(withField("participants", `{"client_id": "c-1"}`)),
			want: p + `appointments[0] (id "a-1"): participants: must be an array`, validation: true,
		},
		{
			name: "kind a number",
			in:   schedule(withField("kind", `1`)),
			want: p + `appointments[0] (id "a-1"): kind: must be a string`, validation: true,
		},
		{
			name: "unsupported modality and too many clients",
			in: schedule(`{"id": "a-1", "kind": "individual", "modality": "phone", "start": "2030-03-04T09:00:00Z",
				"duration_minutes": 50, "participants": [{"client_id": "c-1", "name": "Secret Name"},
				{"client_id": "c-2", "email": "secret@example.com"}]}`),
			want: p + `appointments[0] (id "a-1"): participants: 1:1 has 2 clients, must have exactly 1; ` +
				`modality: "phone": modality not supported by OnCall`,
			modality: true, validation: true,
		},
		{
			name: "unknown kind",
			in:   schedule(withField("kind", `"couple"`)),
			want: p + `appointments[0] (id "a-1"): kind: (a value of 6 characters), must be "individual" or "group"`, validation: true,
		},
		{
			name: "duplicate ids",
			in:   schedule(okAppt, withField("source", `"other"`), okAppt),
			want: p + `appointments[2] (id "a-1"): id: same as appointments[0]`, validation: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("ReadJSON succeeded with %d appointments, want error %q", len(got), tt.want)
			}
			if got != nil {
				t.Errorf("ReadJSON returned %d appointments with its error, want none", len(got))
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if is := errors.Is(err, ErrUnsupportedModality); is != tt.modality {
				t.Errorf("errors.Is(err, ErrUnsupportedModality) = %v, want %v", is, tt.modality)
			}
			var ve *ValidationError
			if as := errors.As(err, &ve); as != tt.validation {
				t.Errorf("errors.As(err, *ValidationError) = %v, want %v", as, tt.validation)
			}
			for _, phi := range []string{"Secret Name", "secret@example.com"} {
				if strings.Contains(err.Error(), phi) {
					t.Errorf("error contains a client's name or email: %v", err)
				}
			}
		})
	}
}

func TestReadJSONLongErrorsAreCut(t *testing.T) {
	t.Parallel()
	const p = "carelogic: JSON schedule: "
	oneBad := strings.Replace(okAppt, `"id": "a-1",`, `"id": "a-1",`+strings.Repeat(`"x": 1,`, 25), 1)
	_, err := ReadJSON(strings.NewReader(schedule(oneBad)))
	want := p + `appointments[0] (id "a-1"): ` + strings.Repeat(`unknown field "x"; `, 20) + "and 5 more problems"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 25 {
		t.Errorf("the ValidationError does not hold all 25 problems: %v", ve)
	}

	var many []string
	for range 53 {
		many = append(many, withField("id", ""))
	}
	_, err = ReadJSON(strings.NewReader(schedule(many...)))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 51 || lines[49] != p+"appointments[49]: id: missing" || lines[50] != p+"and 3 more invalid appointments" {
		t.Errorf("%d lines, ending %q", len(lines), lines[max(0, len(lines)-2):])
	}
	var all []error
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		all = u.Unwrap()
	}
	if len(all) != 53 {
		t.Errorf("Unwrap gives %d errors, want 53", len(all))
	}
}

func TestReadJSONLenientWhereDocumented(t *testing.T) {
	t.Parallel()
	want := Appointment{
		ID: "a-1", Kind: Group, Modality: InPerson, Start: time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC),
		Duration: 50 * time.Minute,
		Participants: []Participant{
			{ClientID: "c-1", Status: StatusDNS},
			{ClientID: "c-2", Status: StatusScheduled},
			{ClientID: "c-3", Status: "checked in"},
			{ClientID: "c-4"},
		},
	}
	in := "\ufeff" + `{"appointments": [{"id": "a-1", "kind": "GROUP", "modality": "In-person",
		"start": "2030-03-04T09:00:00+00:00", "duration_minutes": 50, "activity": null,
		"participants": [{"client_id": "c-1", "status": "dns"}, {"client_id": "c-2", "status": "SCHEDULED"},
		{"client_id": "c-3", "status": "checked in"}, {"client_id": "c-4", "status": null}]}]}`
	got, err := ReadJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Appointment{want}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got[0].Start.Location() != time.UTC {
		t.Errorf("+00:00 read in %v, want UTC", got[0].Start.Location())
	}
}

func TestReadJSONEmptySchedule(t *testing.T) {
	t.Parallel()
	got, err := ReadJSON(strings.NewReader(`{"appointments": []}`))
	if err != nil || len(got) != 0 {
		t.Errorf("ReadJSON of an empty list = %v, %v; want no appointments and no error", got, err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReadJSONReaderError(t *testing.T) {
	t.Parallel()
	_, err := ReadJSON(failingReader{})
	if err == nil || err.Error() != "carelogic: reading JSON schedule: disk on fire" {
		t.Errorf("err = %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	demo := DemoSchedule(time.Date(2030, 3, 4, 9, 17, 0, 0, time.UTC))
	withExtras := DemoEdits(demo)
	withExtras[0].UpdatedAt = time.Date(2030, 3, 1, 12, 0, 0, 1, time.FixedZone("", 5*3600+1800))
	withExtras[1].OnCallURL = "https://api.oncallhealth.ca/appointments/9/"
	withExtras[2].Start = withExtras[2].Start.In(time.FixedZone("PST", -8*3600))
	withExtras[3].Source = ""
	withExtras[4].Activity = `Skills <group> & "friends"`

	tests := map[string][]Appointment{
		"demo":        demo,
		"with extras": withExtras,
		"empty":       {},
	}
	for name, appts := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteJSON(&buf, appts); err != nil {
				t.Fatal(err)
			}
			got, err := ReadJSON(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			if diff := cmp.Diff(appts, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for i := range got {
				_, wantOff := appts[i].Start.Zone()
				if _, off := got[i].Start.Zone(); off != wantOff {
					t.Errorf("%s: start offset %d, want %d", got[i].ID, off, wantOff)
				}
			}
		})
	}
}

func TestWriteJSONForm(t *testing.T) {
	t.Parallel()
	a := Appointment{
		ID: "a-1", Kind: Individual, Modality: Video, Start: time.Date(2030, 3, 4, 9, 0, 0, 0, time.FixedZone("", -4*3600)),
		Duration: 90 * time.Minute, Activity: "Intake & assessment",
		Participants: []Participant{{ClientID: "c-1"}},
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []Appointment{a}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "appointments": [
    {
      "id": "a-1",
      "kind": "individual",
      "modality": "video",
      "start": "2030-03-04T09:00:00-04:00",
      "duration_minutes": 90,
      "activity": "Intake & assessment",
      "participants": [
        {
          "client_id": "c-1"
        }
      ]
    }
  ]
}
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	buf.Reset()
	if err := WriteJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"appointments\": []\n}\n"; buf.String() != want {
		t.Errorf("WriteJSON(nil) = %q, want %q", buf.String(), want)
	}
}

func TestWriteJSONErrors(t *testing.T) {
	t.Parallel()
	const p = "carelogic: JSON schedule: "
	base := validOneToOne()
	tests := []struct {
		name     string
		edit     func(a *Appointment)
		want     string
		modality bool
	}{
		{
			name:     "invalid",
			edit:     func(a *Appointment) { a.Modality = "phone" },
			want:     p + `appointments[1] (id "a-1"): modality: "phone": modality not supported by OnCall`,
			modality: true,
		},
		{
			name: "seconds in the duration",
			edit: func(a *Appointment) { a.Duration = 50*time.Minute + 30*time.Second },
			want: p + `appointments[1] (id "a-1"): duration: not a whole number of minutes`,
		},
		{
			name: "five-digit year",
			edit: func(a *Appointment) { a.Start = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
			want: p + `appointments[1] (id "a-1"): start: year outside 0000 to 9999`,
		},
		{
			name: "negative year in updated_at",
			edit: func(a *Appointment) { a.UpdatedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) },
			want: p + `appointments[1] (id "a-1"): updated_at: year outside 0000 to 9999`,
		},
		{
			name: "custom status that reads back as a named one",
			edit: func(a *Appointment) { a.Participants[0].Status = "kept" },
			want: p + `appointments[1] (id "a-1"): participants[0].status: a custom status that would read back as "Kept", differing from it only in case`,
		},
		{
			name: "same key as another",
			edit: func(a *Appointment) { a.ID = "first-1" },
			want: p + `appointments[1] (id "first-1"): id: same as appointments[0]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			first := base.Clone()
			first.ID = "first-1"
			second := base.Clone()
			tt.edit(&second)
			var buf bytes.Buffer
			err := WriteJSON(&buf, []Appointment{first, second})
			if err == nil {
				t.Fatalf("WriteJSON succeeded, want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if is := errors.Is(err, ErrUnsupportedModality); is != tt.modality {
				t.Errorf("errors.Is(err, ErrUnsupportedModality) = %v, want %v", is, tt.modality)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteJSON wrote %d bytes despite the error", buf.Len())
			}
			if strings.Contains(err.Error(), "Pat Phi-Name") || strings.Contains(err.Error(), "pat.phi@example.com") {
				t.Errorf("error contains a client's name or email: %v", err)
			}
		})
	}

	if err := WriteJSON(failingWriter{}, []Appointment{base}); err == nil || err.Error() != "carelogic: writing JSON schedule: disk full" {
		t.Errorf("WriteJSON to a failing writer = %v", err)
	}
}

func FuzzReadJSON(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range seeds {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "{}", `{"appointments": []}`, schedule(okAppt), schedule(okAppt, okAppt),
		schedule(withField("participants", `[{"client_id": "c-1", "status": "dns"}, "x", null]`)),
		schedule(withField("duration_minutes", `1e3`)), schedule(withField("start", `"2030-03-04T09:00:00.123456789+14:00"`)),
		// Values where they do not belong, and shapes at the limits.
		schedule(withField("kind", `"Jane Roe"`), withField("modality", `"jane.roe@example.org"`), withField("id", `"JaneRoe"`)),
		schedule(withField("participants", `[{"client_id": "c-1", "Jane Roe": "x", "status": "(416) 555-0199"}]`)),
		`{"appointments": [], "jane.roe@example.org": 1}`,
		`{"appointments": ` + strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth) + `}`,
		schedule(withField("participants", `[{"client_id": "c-1"}`+strings.Repeat(`,{"client_id": "c-1"}`, MaxParticipants)+`]`)),
		"{\"appointments\": [" + okAppt + "]}\n" + `{"appointments": []}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		appts, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			if appts != nil {
				t.Fatalf("appointments returned with error %v", err)
			}
			if n := len(err.Error()); n > 64<<10 {
				t.Fatalf("error text of %d bytes", n)
			}
			checkNoPHI(t, data, err)
			return
		}
		for _, a := range appts {
			if verr := a.Validate(); verr != nil {
				t.Fatalf("ReadJSON returned an invalid appointment: %v", verr)
			}
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, appts); err != nil {
			t.Fatalf("WriteJSON of what ReadJSON read: %v", err)
		}
		again, err := ReadJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("ReadJSON of what WriteJSON wrote: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(appts, again); diff != "" {
			t.Fatalf("round trip changed the schedule (-first +second):\n%s", diff)
		}
	})
}

// checkNoPHI fails the test if err quotes a value or member name of data that holds an "@", as an email does: no
// part of an error is made of one, since ids and field names are shown only when they hold none (see
// internal/redact).
func checkNoPHI(t *testing.T, data []byte, err error) {
	t.Helper()
	var doc any
	if json.Unmarshal(bytes.TrimPrefix(data, []byte("\ufeff")), &doc) != nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			if strings.Contains(v, "@") && strings.Contains(err.Error(), v) {
				t.Fatalf("error quotes %q from the input: %v", v, err)
			}
		}
	}
	walk(doc)
}
