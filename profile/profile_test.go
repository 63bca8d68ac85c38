package profile

import (
	"errors"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	p := Default()
	if len(p.Ladder.Rungs) != 3 {
		t.Fatalf("default has %d rungs, want 3", len(p.Ladder.Rungs))
	}
	for _, r := range p.Ladder.Rungs {
		if r.Codec.Codec != "h264" || r.Preset != "medium" || r.GOPSeconds != 2 || r.CRF == 0 {
			t.Errorf("rung %s did not inherit defaults: %+v", r.ID, r.Codec)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string // substring; empty means valid
	}{
		{"minimal", "ladder:\n  rungs:\n    - height: 480\n", ""},
		{"vbr fills maxrate", "ladder:\n  rungs:\n    - {height: 480, bitrate_kbps: 1000}\n", ""},
		{"empty", "", "empty profile"},
		{"unknown field", "ladder:\n  rungz: []\n", "rungz"},
		{"no rungs", "ladder:\n  rungs: []\n", "at least one rung"},
		{"bad codec", "ladder:\n  rungs:\n    - {height: 480, codec: mpeg1}\n", "codec \"mpeg1\" unsupported"},
		{"bad crf", "ladder:\n  rungs:\n    - {height: 480, crf: 60}\n", "crf 60 out of range"},
		{"bad height", "ladder:\n  rungs:\n    - {height: 4}\n", "height 4 out of range"},
		{"dup id", "ladder:\n  rungs:\n    - {id: a, height: 480}\n    - {id: a, height: 240}\n", "duplicate id"},
		{"slash in id", "ladder:\n  rungs:\n    - {id: ../x, height: 480}\n", "slashes"},
		{"maxrate below bitrate", "ladder:\n  rungs:\n    - {height: 480, bitrate_kbps: 1000, maxrate_kbps: 500}\n", "maxrate_kbps 500 below"},
		{"bad preset", "ladder:\n  rungs:\n    - {height: 480, preset: quick}\n", "preset \"quick\""},
		{"bad mode", "ladder:\n  mode: magic\n  rungs:\n    - {height: 480}\n", "ladder.mode"},
		{"not yaml", "{{{", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(strings.NewReader(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				for _, r := range p.Ladder.Rungs {
					if r.BitrateKbps > 0 && (r.MaxrateKbps != r.BitrateKbps*3/2 || r.BufsizeKbps != 2*r.MaxrateKbps) {
						t.Fatalf("vbr defaults not filled: %+v", r.Codec)
					}
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %q, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(DefaultYAML()))
	f.Add("ladder:\n  rungs:\n    - {height: 480, bitrate_kbps: 1000}\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(strings.NewReader(s))
		if err == nil {
			if err := p.Validate(); err != nil {
				t.Fatalf("Parse accepted a profile Validate rejects: %v", err)
			}
		}
	})
}
