package fhir

import (
	"slices"

	"github.com/oncallsync/oncall-go/carelogic"
)

// modality decides how the appointment takes place from explicit markers only: an R5 virtualService (native or
// cross-version extension) means Video, and codings in appointmentType, serviceType, serviceCategory and the R5
// class (native or extension) mean what the built-in and caller-declared codes say. One marked modality wins;
// markers that disagree give an empty Modality, which Validate reports, rather than a pick; no marker gives the
// caller's default (empty unless WithDefaultModality was used).
func modality(r *appointment, o *options) carelogic.Modality {
	var found []carelogic.Modality
	add := func(m carelogic.Modality) {
		if m != "" && !slices.Contains(found, m) {
			found = append(found, m)
		}
	}
	if len(r.VirtualService) > 0 || findExtension(r.Extension, extVirtualService) != nil {
		add(carelogic.Video)
	}
	concepts := []*codeableConcept{r.AppointmentType}
	for i := range r.ServiceType {
		concepts = append(concepts, r.ServiceType[i].concept())
	}
	for i := range r.ServiceCategory {
		concepts = append(concepts, &r.ServiceCategory[i])
	}
	for i := range r.Class {
		concepts = append(concepts, &r.Class[i])
	}
	if ext := findExtension(r.Extension, extClass); ext != nil {
		concepts = append(concepts, ext.ValueCodeableConcept)
	}
	for _, cc := range concepts {
		if cc == nil {
			continue
		}
		for _, c := range cc.Coding {
			add(o.codeModality(c))
		}
	}
	switch len(found) {
	case 0:
		return o.defaultModality
	case 1:
		return found[0]
	}
	return ""
}

// codeModality returns the modality a coding marks, or "" for none. Caller-declared codes come first, so that a
// caller can also switch a built-in code off by declaring it with an empty modality.
func (o *options) codeModality(c coding) carelogic.Modality {
	if m, ok := o.modalityCodes[codeKey{c.System, c.Code}]; ok {
		return m
	}
	if c.System != systemActCode && c.System != systemActCodeOld {
		return ""
	}
	// v3 ActCode encounter classes, as R5 Appointment.class uses them.
	switch c.Code {
	case "VR": // virtual
		return carelogic.Video
	case "AMB", "HH": // ambulatory (at the clinic), home health (at the client's home)
		return carelogic.InPerson
	}
	return ""
}

// concept returns the CodeableConcept of an R4 serviceType, or the concept of an R5 one.
func (c *codeableReference) concept() *codeableConcept {
	if c.Concept != nil {
		return c.Concept
	}
	return &c.codeableConcept
}
