package request

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckTitleID(t *testing.T) {
	tests := []struct {
		id   string
		ok   bool
		want string // in the error
	}{
		{id: "bbb", ok: true},
		{id: "studio/show/s01e02", ok: true},
		{id: "../x", ok: true},
		{id: `<script>alert("x")</script>`, ok: true},
		{id: "Amélie 2001 · 4K", ok: true},
		{id: strings.Repeat("a", MaxTitleIDBytes), ok: true},
		{id: "", want: "empty"},
		{id: "x\x00y", want: `U+0000 at byte 1`},
		{id: "\x1b[31m", want: "U+001B"},
		{id: "a\nb", want: "U+000A"},
		{id: "a\x7fb", want: "U+007F"},
		{id: "a\u0085b", want: "U+0085"},
		{id: "a\xffb", want: "not valid UTF-8"},
		{id: "a\uFFFDb", want: "U+FFFD at byte 1"},
		{id: strings.Repeat("a", 1000), want: "1000 bytes, at most 255"},
		{id: strings.Repeat("é", 128), want: "256 bytes"},
	}
	for _, tt := range tests {
		err := CheckTitleID(tt.id)
		if tt.ok {
			if err != nil {
				t.Errorf("CheckTitleID(%.30q) = %v, want nil", tt.id, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadTitleID) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckTitleID(%.30q) = %v, want ErrBadTitleID with %q", tt.id, err, tt.want)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x00\x1b\n") {
			t.Errorf("CheckTitleID(%.30q): error holds a control character: %q", tt.id, err)
		}
	}
}
