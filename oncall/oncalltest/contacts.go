package oncalltest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (s *Server) listContacts(c *call) *response {
	query := strings.ToLower(strings.TrimSpace(c.r.URL.Query().Get("query")))
	var list []*Contact
	for _, id := range sortedKeys(s.st.contacts) {
		ct := s.st.contacts[id]
		if query == "" || strings.Contains(strings.ToLower(ct.Name), query) ||
			strings.Contains(strings.ToLower(ct.Email), query) {
			list = append(list, ct)
		}
	}
	return listPage(s, c.r, len(list), func(i int) contactJSON { return s.renderContact(list[i]) })
}

func (s *Server) getContact(c *call) *response {
	ct := s.st.contacts[oncall.ContactID(c.id)]
	if ct == nil {
		return notFound()
	}
	return jsonResponse(http.StatusOK, s.renderContact(ct))
}

// listContactAppointments lists the appointments on which the contact is a participant, matched by email
// (without regard to case), ordered by id.
func (s *Server) listContactAppointments(c *call) *response {
	ct := s.st.contacts[oncall.ContactID(c.id)]
	if ct == nil {
		return notFound()
	}
	appts := s.orderedAppointments(c.r.URL.Query().Get("ordering"), func(a *Appointment) bool {
		for _, p := range a.Participants {
			if strings.EqualFold(p.Email, ct.Email) {
				return true
			}
		}
		return false
	})
	return listPage(s, c.r, len(appts), func(i int) appointmentJSON { return s.renderAppointment(appts[i]) })
}

func (s *Server) createContact(c *call) *response {
	obj, errResp := decodeObject(c.body)
	if errResp != nil {
		return errResp
	}
	fe := fieldErrors{}
	for _, f := range []string{"first_name", "last_name", "email", "division"} {
		if _, ok := obj[f]; !ok {
			fe.add(f, msgRequired)
		}
	}
	ct := Contact{Sex: "Unknown"}
	var first, last string
	if raw, ok := obj["first_name"]; ok {
		first = s.contactString(raw, "first_name", false, fe)
	}
	if raw, ok := obj["last_name"]; ok {
		last = s.contactString(raw, "last_name", false, fe)
	}
	ct.Name = strings.TrimSpace(first + " " + last)
	s.readContactFields(obj, &ct, fe)
	s.readDivision(obj, fe, &ct.Division)
	s.readProvider(obj, fe, &ct.Provider)
	if len(fe) > 0 {
		return fieldErrorResponse(fe)
	}
	ct.ID = oncall.ContactID(s.st.nextContact)
	s.st.nextContact++
	s.st.contacts[ct.ID] = &ct
	resp := jsonResponse(http.StatusCreated, s.renderContact(&ct))
	resp.header.Set("Location", s.resourceURL(kindContacts, int64(ct.ID)))
	resp.committed = true
	return resp
}

func (s *Server) patchContact(c *call) *response {
	cur := s.st.contacts[oncall.ContactID(c.id)]
	if cur == nil {
		return notFound()
	}
	obj, errResp := decodeObject(c.body)
	if errResp != nil {
		return errResp
	}
	fe := fieldErrors{}
	next := cur.clone()
	if raw, ok := obj["name"]; ok {
		if v := s.contactString(raw, "name", false, fe); v != "" {
			next.Name = v
		}
	}
	s.readContactFields(obj, &next, fe)
	if len(fe) > 0 {
		return fieldErrorResponse(fe)
	}
	s.st.contacts[next.ID] = &next
	resp := jsonResponse(http.StatusOK, s.renderContact(&next))
	resp.committed = true
	return resp
}

func (s *Server) contactString(raw json.RawMessage, field string, allowBlank bool, fe fieldErrors) string {
	v, msg := parseString(raw, allowBlank, 255)
	if msg != "" {
		fe.add(field, msg)
	}
	return v
}

// readContactFields reads the contact fields that creating and updating share.
func (s *Server) readContactFields(obj map[string]json.RawMessage, ct *Contact, fe fieldErrors) {
	if raw, ok := obj["email"]; ok {
		if v, msg := parseEmail(raw); msg != "" {
			fe.add("email", msg)
		} else {
			ct.Email = v
		}
	}
	if raw, ok := obj["phone"]; ok {
		ct.Phone = s.contactString(raw, "phone", true, fe)
	}
	if raw, ok := obj["sex"]; ok {
		if v := s.contactString(raw, "sex", false, fe); v != "" {
			ct.Sex = v
		}
	}
	if raw, ok := obj["date_of_birth"]; ok {
		if isNull(raw) {
			ct.DateOfBirth = ""
		} else if v, msg := parseString(raw, false, 10); msg != "" || !dateRE.MatchString(v) {
			fe.add("date_of_birth", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
		} else {
			ct.DateOfBirth = v
		}
	}
	if raw, ok := obj["custom_field_values"]; ok {
		vals, msgs := s.readCustomFieldValues(raw)
		if msgs != nil {
			fe["custom_field_values"] = msgs
		} else {
			if ct.CustomFieldValues == nil {
				ct.CustomFieldValues = map[string]any{}
			}
			for k, v := range vals {
				ct.CustomFieldValues[k] = v // only the fields sent change, as OnCall documents
			}
		}
	}
}

// readCustomFieldValues reads {"<field id>": value}, for field ids the server knows (AddCustomField), with flat
// values.
func (s *Server) readCustomFieldValues(raw json.RawMessage) (map[string]any, []string) {
	if pyType(raw) != "dict" {
		return nil, []string{"Expected a dictionary of items but got type \"" + pyType(raw) + "\"."}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, []string{"Invalid data."}
	}
	out := map[string]any{}
	var msgs []string
	for _, k := range sortedKeys(obj) {
		if _, ok := s.st.customFields[k]; !ok {
			msgs = append(msgs, "Unknown custom field "+k+".")
			continue
		}
		switch pyType(obj[k]) {
		case "dict", "list":
			msgs = append(msgs, "Custom field "+k+": the value must be a string, number, boolean or null.")
			continue
		}
		var v any
		if err := json.NewDecoder(bytes.NewReader(obj[k])).Decode(&v); err != nil {
			msgs = append(msgs, "Custom field "+k+": invalid value.")
			continue
		}
		out[k] = v
	}
	return out, msgs
}
