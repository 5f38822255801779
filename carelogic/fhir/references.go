package fhir

import (
	"regexp"
	"strings"
)

// resourceTypeName matches the shape of a FHIR resource type name, for telling the parts of a reference apart.
var resourceTypeName = regexp.MustCompile(`^[A-Z][A-Za-z]{0,63}$`)

// index holds the Patient, Practitioner and PractitionerRole resources of a Bundle, so that participant references
// can be resolved to them. A nil *index holds nothing.
type index struct {
	byURL map[string]*person // by entry fullUrl, exactly as written
	byKey map[string]*person // by "Type/id"
}

func newIndex() *index {
	return &index{byURL: make(map[string]*person), byKey: make(map[string]*person)}
}

// add indexes p under its entry's fullUrl and under Type/id, taking the id from the resource or, where the resource
// has none, from the fullUrl. The first resource under a key wins, as a Bundle should not repeat one.
func (x *index) add(fullURL string, p *person) {
	if fullURL != "" {
		if _, ok := x.byURL[fullURL]; !ok {
			x.byURL[fullURL] = p
		}
	}
	id := p.ID
	if id == "" {
		if typ, urlID := parseReference(fullURL); typ == p.ResourceType {
			id = urlID
		}
	}
	if id == "" {
		return
	}
	if key := p.ResourceType + "/" + id; x.byKey[key] == nil {
		x.byKey[key] = p
	}
}

func (x *index) lookup(ref string) *person {
	if x == nil || ref == "" {
		return nil
	}
	if p := x.byURL[ref]; p != nil {
		return p
	}
	if typ, id := parseReference(ref); typ != "" {
		return x.byKey[typ+"/"+id]
	}
	return nil
}

// resolver resolves references made from one Appointment: "#id" to its contained resources, anything else to the
// enclosing Bundle's resources.
type resolver struct {
	contained map[string]*person
	bundle    *index
}

// resolve returns the resource ref points to, if the input holds it, and whether it is a contained resource.
func (r *resolver) resolve(ref string) (p *person, contained bool) {
	if id, ok := strings.CutPrefix(ref, "#"); ok {
		p := r.contained[id]
		return p, p != nil
	}
	return r.bundle.lookup(ref), false
}

// parseReference splits a literal reference, relative ("Patient/123") or absolute
// ("https://example.org/fhir/Patient/123/_history/2"), into its resource type and id. It returns empty strings for
// contained ("#p1"), urn:uuid/urn:oid, conditional ("Patient?identifier=...") and malformed references.
func parseReference(ref string) (typ, id string) {
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "urn:") || strings.Contains(ref, "?") {
		return "", ""
	}
	parts := strings.Split(ref, "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	n := len(parts)
	if n < 2 {
		return "", ""
	}
	typ, id = parts[n-2], parts[n-1]
	if !resourceTypeName.MatchString(typ) || id == "" {
		return "", ""
	}
	return typ, id
}

// typeName returns the resource type a Reference.type names, which may be a bare type ("Patient") or a
// StructureDefinition URL ("http://hl7.org/fhir/StructureDefinition/Patient").
func typeName(t string) string {
	if i := strings.LastIndexByte(t, '/'); i >= 0 {
		t = t[i+1:]
	}
	if resourceTypeName.MatchString(t) {
		return t
	}
	return ""
}
