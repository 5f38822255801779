package syncer

import "strings"

// keyArena builds EHR keys, as carelogic.Appointment.Key renders them ("source/id", or the id alone when there is
// no source), in shared storage: building each key on its own would allocate once per appointment, on both sides of
// a plan. A key it returned never changes (strings.Builder never writes over what it holds).
type keyArena struct {
	b strings.Builder
}

// grow makes room for n more bytes of keys.
func (k *keyArena) grow(n int) { k.b.Grow(n) }

// key returns the key of source and id.
func (k *keyArena) key(source, id string) string {
	if source == "" {
		return id
	}
	start := k.b.Len()
	k.b.WriteString(source)
	k.b.WriteByte('/')
	k.b.WriteString(id)
	return k.b.String()[start:]
}

// appendKey appends the key of source and id to b.
func appendKey(b []byte, source, id string) []byte {
	if source != "" {
		b = append(append(b, source...), '/')
	}
	return append(b, id...)
}
