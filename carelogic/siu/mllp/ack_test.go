package mllp

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic/siu"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildAck(t *testing.T) {
	now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.FixedZone("", -5*3600))
	booking := string(readTestdata(t, "booking.hl7"))
	const internal = 207
	tests := []struct {
		name    string
		msg     string
		code    Code
		reason  string
		errCode int
		want    string
		wantAck Ack
	}{
		{
			name: "accepted", msg: booking, code: ApplicationAccept,
			want: "MSH|^~\\&|OnCallSync|OnCall|CareLogic|Eastside|20250310090000-0500||ACK^S12^ACK|A1|P|2.5.1\r" +
				"MSA|AA|BOOK-1\r",
			wantAck: Ack{Code: "AA", ControlID: "BOOK-1"},
		},
		{
			name: "error, v2.5.1: MSA-3 and ERR", msg: booking, code: ApplicationError, reason: "not applied",
			errCode: internal,
			want: "MSH|^~\\&|OnCallSync|OnCall|CareLogic|Eastside|20250310090000-0500||ACK^S12^ACK|A1|P|2.5.1\r" +
				"MSA|AE|BOOK-1|not applied\r" +
				"ERR|||207^Application internal error^HL70357|E\r",
			wantAck: Ack{Code: "AE", ControlID: "BOOK-1", Text: "not applied"},
		},
		{
			name: "reason escaped", msg: booking, code: ApplicationReject, reason: "a|b^c~d\\e&f\rg\x1ch",
			errCode: internal,
			want: "MSH|^~\\&|OnCallSync|OnCall|CareLogic|Eastside|20250310090000-0500||ACK^S12^ACK|A1|P|2.5.1\r" +
				"MSA|AR|BOOK-1|a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f g h\r" +
				"ERR|||207^Application internal error^HL70357|E\r",
			wantAck: Ack{Code: "AR", ControlID: "BOOK-1", Text: "a|b^c~d\\e&f g h"},
		},
		{
			name: "v2.3 without an escape character: no ERR, delimiters blanked",
			msg:  "MSH|^~&|Sender|Site|Recv|Here|20240101||SIU^S15|X-9|T|2.3\rSCH||1\r", code: ApplicationReject,
			reason: "a|b^c", errCode: internal,
			want: "MSH|^~&|Recv|Here|Sender|Site|20250310090000-0500||ACK^S15^ACK|A1|T|2.3\r" +
				"MSA|AR|X-9|a b c\r",
			wantAck: Ack{Code: "AR", ControlID: "X-9", Text: "a b c"},
		},
		{
			name: "the message's own delimiters",
			msg:  "MSH#$*!@#S$x#F#R#H#20240101##SIU$S12#C!S!1#P#2.6\r", code: ApplicationError,
			reason: "x#y$z", errCode: internal,
			want: "MSH#$*!@#R#H#S$x#F#20250310090000-0500##ACK$S12$ACK#A1#P#2.6\r" +
				"MSA#AE#C!S!1#x!F!y!S!z\r" +
				"ERR###207$Application internal error$HL70357#E\r",
			wantAck: Ack{Code: "AE", ControlID: "C$1", Text: "x#y$z"},
		},
		{
			name: "no readable MSH: defaults, empty MSA-2", msg: "Jane Roe\r", code: ApplicationReject,
			reason: "siu: segment 1: message does not start with an MSH segment", errCode: internal,
			want: "MSH|^~\\&|||||20250310090000-0500||ACK|A1|P|2.5.1\r" +
				"MSA|AR||siu: segment 1: message does not start with an MSH segment\r" +
				"ERR|||207^Application internal error^HL70357|E\r",
			wantAck: Ack{Code: "AR", Text: "siu: segment 1: message does not start with an MSH segment"},
		},
		{
			name: "trigger that is not a code is not echoed, nor an overlong control id",
			msg:  "MSH|^~\\&|A|B|C|D|20240101||SIU^Jane Roe|" + strings.Repeat("9", 300) + "|P|2.5\r",
			code: ApplicationAccept,
			want: "MSH|^~\\&|C|D|A|B|20250310090000-0500||ACK|A1|P|2.5\r" +
				"MSA|AA|\r",
			wantAck: Ack{Code: "AA"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := readHeader([]byte(tt.msg))
			code, text := errorCode(errors.New("x"), h)
			if tt.errCode == 0 {
				code = 0
			}
			got := buildAck(h, tt.code, tt.reason, code, text, now, "A1")
			if d := cmp.Diff(tt.want, string(got)); d != "" {
				t.Errorf("ACK (-want +got):\n%s", d)
			}
			ack, err := ParseAck(got)
			if err != nil {
				t.Fatalf("ParseAck: %v", err)
			}
			if d := cmp.Diff(tt.wantAck, ack); d != "" {
				t.Errorf("ACK read back (-want +got):\n%s", d)
			}
		})
	}
}

func TestErrorCode(t *testing.T) {
	siuHeader, _ := readHeader([]byte("MSH|^~\\&|A|B|C|D|20240101||SIU^S99|1|P|2.5.1"))
	adtHeader, _ := readHeader([]byte("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5.1"))
	tests := []struct {
		name string
		err  error
		h    header
		want int
	}{
		{"missing field", &siu.Error{Err: siu.ErrMissingField}, siuHeader, 101},
		{"invalid field", &siu.Error{Err: siu.ErrInvalidField}, siuHeader, 102},
		{"unsupported SIU event", &siu.Error{Err: siu.ErrUnsupportedEvent}, siuHeader, 201},
		{"unsupported message type", &siu.Error{Err: siu.ErrUnsupportedEvent}, adtHeader, 200},
		{"syntax", &siu.Error{Err: siu.ErrSyntax}, siuHeader, 207},
		{"handler", ErrReject, siuHeader, 207},
	}
	for _, tt := range tests {
		if got, _ := errorCode(tt.err, tt.h); got != tt.want {
			t.Errorf("%s: errorCode = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestParseAck(t *testing.T) {
	const msh = "MSH|^~\\&|R|H|S|F|20250101||ACK^S12^ACK|A1|P|2.5.1\r"
	tests := []struct {
		name    string
		in      string
		want    Ack
		wantErr error
	}{
		{"accept", msh + "MSA|AA|M-1\r", Ack{Code: "AA", ControlID: "M-1"}, nil},
		{"text in MSA-3", msh + "MSA|AE|M-1|try later\r", Ack{Code: "AE", ControlID: "M-1", Text: "try later"}, nil},
		{"text in ERR-3", msh + "MSA|AR|M-1\rERR|||101^Required field missing^HL70357|E\r",
			Ack{Code: "AR", ControlID: "M-1", Text: "Required field missing"}, nil},
		{"enhanced mode", msh + "MSA|CA|M-1\r", Ack{Code: "CA", ControlID: "M-1"}, nil},
		{"LF ends, MLLP bytes", "\x0b" + strings.ReplaceAll(msh+"MSA|AA|M-1\r", "\r", "\n") + "\x1c\r",
			Ack{Code: "AA", ControlID: "M-1"}, nil},
		{"no MSA", msh, Ack{}, ErrAck},
		{"no code", msh + "MSA||M-1\r", Ack{}, ErrAck},
		{"not HL7", "hello", Ack{}, siu.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAck([]byte(tt.in))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Ack (-want +got):\n%s", d)
			}
		})
	}
}
