package fhir

// MaxBundleEntries bounds the entries of one Bundle: 100,000. A FHIR server pages a search result in Bundles of
// tens to a thousand entries; a collection or transaction exported with each appointment's Patient and
// Practitioner holds three entries an appointment, and 100,000 entries some 30,000 appointments, weeks of a large
// agency's bookings. A Bundle over it is refused whole, with an error wrapping carelogic.ErrLimit, before any of
// it is decoded. The package's other limits are carelogic's: see the package documentation.
const MaxBundleEntries = 100_000
