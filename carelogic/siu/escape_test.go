package siu

import "testing"

func TestUnescape(t *testing.T) {
	t.Parallel()
	std := delimiters{field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&'}
	odd := delimiters{field: '*', component: ':', repetition: '!', escape: '/', subcomponent: '%'}
	none := delimiters{field: '|', component: '^', repetition: '~', subcomponent: '&'}
	tests := []struct {
		name string
		d    delimiters
		in   string
		want string
	}{
		{"plain", std, "plain text", "plain text"},
		{"field", std, `a\F\b`, "a|b"},
		{"component", std, `a\S\b`, "a^b"},
		{"subcomponent", std, `a\T\b`, "a&b"},
		{"repetition", std, `a\R\b`, "a~b"},
		{"escape", std, `a\E\b`, `a\b`},
		{"all in a row", std, `\F\\S\\T\\R\\E\`, `|^&~\`},
		{"hex", std, `\X414243\`, "ABC"},
		{"hex lower case", std, `\X6a\`, "j"},
		{"hex UTF-8", std, `caf\XC3A9\`, "café"},
		{"odd hex kept", std, `\X414\`, `\X414\`},
		{"bad hex kept", std, `\XZZ\`, `\XZZ\`},
		{"empty hex kept", std, `\X\`, `\X\`},
		{"line break", std, `one\.br\two`, "one\ntwo"},
		{"highlighting removed", std, `\H\bold\N\ text`, "bold text"},
		{"unknown kept", std, `\Zlocal\ and \Cxxyy\ and \.sp\`, `\Zlocal\ and \Cxxyy\ and \.sp\`},
		{"unterminated kept", std, `trailing \F`, `trailing \F`},
		{"lone escape kept", std, `a\`, `a\`},
		{"empty sequence kept", std, `a\\b`, `a\\b`},
		{"declared delimiters used", odd, `a/F/b/S/c/T/d/R/e/E/f`, "a*b:c%d!e/f"},
		{"no escape character declared", none, `a\F\b`, `a\F\b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.d.unescape(tt.in); got != tt.want {
				t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
