package mllp

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
)

// Code is an HL7 acknowledgement code, MSA-1 (HL7 table 0008). The Server answers in original acknowledgement
// mode, with one of the three below; Conn.Send returns whatever code the peer sent, such as CA in enhanced mode.
type Code string

const (
	// ApplicationAccept (AA): the receiver's handler took the message; the sender may forget it.
	ApplicationAccept Code = "AA"
	// ApplicationError (AE): the message was understood but not taken, as the receiver could not record it;
	// the sender should send it again later.
	ApplicationError Code = "AE"
	// ApplicationReject (AR): the message is refused for good (malformed, over a limit, not one the receiver
	// takes); sending the same bytes again will not help.
	ApplicationReject Code = "AR"
)

// Ack is an HL7 acknowledgement as Conn.Send reads it.
type Ack struct {
	// Code is MSA-1.
	Code Code
	// ControlID is MSA-2: the control id (MSH-10) of the message acknowledged; empty when the receiver could not
	// read it.
	ControlID string
	// Text is MSA-3, or the text of the error code ERR-3 when MSA-3 is empty: why a message was not accepted.
	Text string
}

// ParseAck reads an acknowledgement message: an MSH and an MSA segment at least. It returns an error wrapping
// ErrAck when there is no MSA segment or no code in MSA-1, and Parse's *siu.Error when the bytes are not an HL7
// v2 message.
func ParseAck(data []byte) (Ack, error) {
	m, err := siu.Parse(data)
	if err != nil {
		return Ack{}, fmt.Errorf("mllp: reading an acknowledgement: %w", err)
	}
	msa := m.Segment("MSA")
	if msa == nil {
		return Ack{}, fmt.Errorf("%w: no MSA segment", ErrAck)
	}
	a := Ack{Code: Code(msa.Field(1)), ControlID: msa.Field(2), Text: msa.Field(3)}
	if a.Code == "" {
		return Ack{}, fmt.Errorf("%w: no acknowledgement code in MSA-1", ErrAck)
	}
	if a.Text == "" {
		a.Text = m.Segment("ERR").Component(3, 2)
	}
	return a, nil
}

// header is what an acknowledgement takes from the message it answers: the delimiters and MSH fields as sent,
// escape sequences included, so that they are written back under the same delimiters unchanged.
type header struct {
	field                  byte
	encoding               string // MSH-2
	component, escapeChar  byte   // escapeChar is 0 when MSH-2 declares none
	repetition, subcompSep byte
	sendApp, sendFac       string // MSH-3, MSH-4
	recvApp, recvFac       string // MSH-5, MSH-6
	messageType, trigger   string // MSH-9.1 and MSH-9.2, when they look like codes
	controlID              string // MSH-10
	processingID, version  string // MSH-11, MSH-12
}

// The defaults of an acknowledgement to a frame whose MSH cannot be read.
var defaultHeader = header{field: '|', encoding: `^~\&`, component: '^', repetition: '~', escapeChar: '\\', subcompSep: '&'}

const (
	// maxHeaderBytes bounds the part of a frame's first segment read for its header: MSH-1 to MSH-12 of a real
	// message fit in a few hundred bytes.
	maxHeaderBytes = 4 << 10
	// maxEchoBytes bounds an MSH field copied into an acknowledgement; a longer one is left empty. HL7 gives
	// MSH-10 at most 199 characters, a hierarchic designator (MSH-3 to MSH-6) 227.
	maxEchoBytes = 256
	// defaultVersion is the version an acknowledgement gives when the message gave none.
	defaultVersion = "2.5.1"
	// hl7Time is the layout of a DTM with seconds and a UTC offset, as in MSH-7.
	hl7Time = "20060102150405-0700"
)

// readHeader reads the MSH of a frame's payload, or returns defaultHeader and false when its first segment is not
// an MSH that can be read.
func readHeader(payload []byte) (header, bool) {
	line := payload[:min(len(payload), maxHeaderBytes)]
	line = bytes.TrimPrefix(line, []byte("\ufeff"))
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	m, err := siu.Parse(line)
	if err != nil {
		return defaultHeader, false
	}
	msh := m.Segment("MSH")
	enc := msh.Raw(2)
	h := header{field: msh.Raw(1)[0], encoding: enc, component: enc[0], repetition: enc[1]}
	if len(enc) == 3 {
		h.subcompSep = enc[2]
	} else {
		h.escapeChar, h.subcompSep = enc[2], enc[3]
	}
	echo := func(n int) string {
		if f := msh.Raw(n); len(f) <= maxEchoBytes {
			return f
		}
		return ""
	}
	h.sendApp, h.sendFac, h.recvApp, h.recvFac = echo(3), echo(4), echo(5), echo(6)
	h.controlID, h.processingID, h.version = echo(10), echo(11), echo(12)
	if t := msh.Component(9, 1); isCode(t) {
		h.messageType = t
	}
	if t := msh.Component(9, 2); isCode(t) {
		h.trigger = t
	}
	return h, true
}

// isCode reports whether s looks like an HL7 message type or trigger event code (SIU, S12, A01): an upper-case
// letter and two upper-case letters or digits. Anything else is not echoed, as it could be any text.
func isCode(s string) bool {
	if len(s) != 3 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < 3; i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// HL7 table 0357 error codes, for ERR-3.
const (
	errRequiredFieldMissing  = 101
	errDataType              = 102
	errUnsupportedType       = 200
	errUnsupportedEvent      = 201
	errApplicationInternal   = 207
	errApplicationInternalTx = "Application internal error"
)

// errorCode returns the HL7 table 0357 code and its name for why a message was not accepted: the closest one to
// the *siu.Error in err's chain, else Application internal error.
func errorCode(err error, h header) (int, string) {
	switch {
	case errors.Is(err, siu.ErrMissingField):
		return errRequiredFieldMissing, "Required field missing"
	case errors.Is(err, siu.ErrInvalidField):
		return errDataType, "Data type error"
	case errors.Is(err, siu.ErrUnsupportedEvent) && h.messageType == "SIU":
		return errUnsupportedEvent, "Unsupported event code"
	case errors.Is(err, siu.ErrUnsupportedEvent):
		return errUnsupportedType, "Unsupported message type"
	}
	return errApplicationInternal, errApplicationInternalTx
}

// buildAck writes the acknowledgement of a message whose header is h, in original mode: an MSH whose sender and
// receiver are the message's receiver and sender, MSA with code and the message's control id, and, when code is
// not AA, the reason in MSA-3 and (from version 2.5, which defines its ERR-3) an ERR segment with errCode, whose
// name is errText. reason and errText must hold no data from the message; they are escaped here.
func buildAck(h header, code Code, reason string, errCode int, errText string, now time.Time, controlID string) []byte {
	var b bytes.Buffer
	f, c := string(h.field), string(h.component)
	msgType := "ACK"
	if h.trigger != "" {
		msgType += c + h.trigger + c + "ACK"
	}
	processingID, version := h.processingID, h.version
	if processingID == "" {
		processingID = "P"
	}
	if version == "" {
		version = defaultVersion
	}
	for _, s := range []string{"MSH", h.encoding, h.recvApp, h.recvFac, h.sendApp, h.sendFac, now.Format(hl7Time), "",
		msgType, controlID, processingID} {
		b.WriteString(s)
		b.WriteString(f)
	}
	b.WriteString(version)
	b.WriteString("\rMSA" + f + string(code) + f + h.controlID)
	if code != ApplicationAccept && reason != "" {
		b.WriteString(f + h.escape(reason))
	}
	b.WriteByte('\r')
	if code != ApplicationAccept && errCode != 0 && atLeast25(version, h.component) {
		b.WriteString("ERR" + f + f + f + strconv.Itoa(errCode) + c + h.escape(errText) + c + "HL70357" + f + "E\r")
	}
	return b.Bytes()
}

// escape returns text with the header's delimiters escaped, and control characters (which would end a segment or
// a frame) replaced by spaces. Without an escape character (MSH-2 of three characters) delimiters become spaces.
func (h header) escape(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		ch := text[i]
		var seq string
		switch ch {
		case h.field:
			seq = "F"
		case h.component:
			seq = "S"
		case h.repetition:
			seq = "R"
		case h.subcompSep:
			seq = "T"
		default:
			if h.escapeChar != 0 && ch == h.escapeChar {
				seq = "E"
			}
		}
		switch {
		case seq != "" && h.escapeChar != 0:
			b.WriteByte(h.escapeChar)
			b.WriteString(seq)
			b.WriteByte(h.escapeChar)
		case seq != "" || ch < ' ' || ch == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// atLeast25 reports whether an HL7 version, MSH-12 whose first component is e.g. 2.3, 2.5.1 or 2.8, is 2.5 or
// later.
func atLeast25(version string, component byte) bool {
	if i := strings.IndexByte(version, component); i >= 0 {
		version = version[:i]
	}
	minor, ok := strings.CutPrefix(version, "2.")
	if !ok {
		return false
	}
	if i := strings.IndexByte(minor, '.'); i >= 0 {
		minor = minor[:i]
	}
	n, err := strconv.Atoi(minor)
	return err == nil && n >= 5
}
