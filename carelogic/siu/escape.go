package siu

import (
	"encoding/hex"
	"strings"
)

// unescape decodes the escape sequences of one subcomponent:
//
//	\F\ \S\ \T\ \R\ \E\   the field, component, subcomponent, repetition and escape characters
//	\Xhh…\                the bytes given in hexadecimal
//	\.br\                 a line break (formatted text)
//	\H\ \N\               start and end of highlighting: removed, as they only style text
//
// Any other sequence (character-set switches \C…\ and \M…\, other formatting commands, locally defined \Z…\),
// a \X…\ that is not whole hex bytes, and an escape character with no closing partner are kept literally, so
// that no data is silently lost.
func (d *delimiters) unescape(s string) string {
	if d.escape == 0 || strings.IndexByte(s, d.escape) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != d.escape {
			b.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexByte(s[i+1:], d.escape)
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		seq := s[i+1 : i+1+j]
		whole := s[i : i+j+2]
		i += j + 2
		switch seq {
		case "F":
			b.WriteByte(d.field)
		case "S":
			b.WriteByte(d.component)
		case "T":
			b.WriteByte(d.subcomponent)
		case "R":
			b.WriteByte(d.repetition)
		case "E":
			b.WriteByte(d.escape)
		case ".br":
			b.WriteByte('\n')
		case "H", "N":
		default:
			if len(seq) > 1 && seq[0] == 'X' {
				if raw, err := hex.DecodeString(seq[1:]); err == nil {
					b.Write(raw)
					continue
				}
			}
			b.WriteString(whole)
		}
	}
	return b.String()
}
