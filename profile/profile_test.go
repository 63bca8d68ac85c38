package profile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	p := Default()
	if p.Ladder.Mode != LadderPerTitle || len(p.Ladder.Rungs) != 0 || p.Ladder.PerTitle == nil {
		t.Fatalf("default ladder %+v, want per-title without rungs", p.Ladder)
	}
	// The YAML spells out every default: it must agree with WithDefaults.
	want := (*PerTitle)(nil).WithDefaults("h264")
	if got := *p.Ladder.PerTitle; !reflect.DeepEqual(got, want) {
		t.Errorf("default.yaml per_title %+v\nWithDefaults    %+v", got, want)
	}
	if d := p.Ladder.Defaults; d.Codec != "h264" || d.Preset != "medium" || d.GOPSeconds != 2 || d.Profile != "high" {
		t.Errorf("defaults %+v", d)
	}
}

func TestPerTitle(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string // substring; empty means valid
		check   func(t *testing.T, p Profile)
	}{
		{"mode from rungs", "ladder:\n  rungs: [{height: 480}]\n", "", func(t *testing.T, p Profile) {
			if p.Ladder.Mode != LadderFixed || p.Ladder.PerTitle != nil {
				t.Errorf("ladder %+v", p.Ladder)
			}
		}},
		{"mode without rungs", "ladder: {defaults: {codec: av1}}\n", "", func(t *testing.T, p Profile) {
			pt := p.Ladder.PerTitle
			if p.Ladder.Mode != LadderPerTitle || pt == nil || !reflect.DeepEqual(pt.CRFs, DefaultTrialCRFs("av1")) || !pt.PerShotOn() {
				t.Errorf("ladder %+v", p.Ladder)
			}
		}},
		{"empty profile ladder", "name: x\n", "", func(t *testing.T, p Profile) {
			if p.Ladder.Mode != LadderPerTitle {
				t.Errorf("mode %q", p.Ladder.Mode)
			}
		}},
		{"per_shot off", "ladder: {per_title: {per_shot: false, rungs: 4, heights: [360, 720]}}\n", "", func(t *testing.T, p Profile) {
			pt := p.Ladder.PerTitle
			if pt.PerShotOn() || pt.Rungs != 4 || len(pt.Heights) != 2 || pt.MaxKbps != 8000 {
				t.Errorf("per_title %+v", pt)
			}
		}},
		{"rungs with per-title", "ladder: {mode: per-title, rungs: [{height: 480}]}\n", "list rungs only with mode fixed", nil},
		{"per_title with fixed", "ladder: {mode: fixed, per_title: {rungs: 3}, rungs: [{height: 480}]}\n", "only for mode per-title", nil},
		{"vbr defaults", "ladder: {defaults: {bitrate_kbps: 1000}}\n", "use mode fixed for bitrate rungs", nil},
		{"bad crf", "ladder: {per_title: {crfs: [10, 60]}}\n", "crf 60 out of range 1–51 for h264", nil},
		{"one crf", "ladder: {per_title: {crfs: [23]}}\n", "1 CRFs; want 2–16", nil},
		{"bad height", "ladder: {per_title: {heights: [8]}}\n", "height 8 out of range", nil},
		{"min above max kbps", "ladder: {per_title: {min_kbps: 9000}}\n", "min_kbps 9000 and max_kbps 8000", nil},
		{"vmaf above 100", "ladder: {per_title: {max_vmaf: 101}}\n", "max_vmaf 101", nil},
		{"ratio below 1", "ladder: {per_title: {min_ratio: 0.5}}\n", "min_ratio 0.5", nil},
		{"min_rungs above rungs", "ladder: {per_title: {rungs: 3, min_rungs: 4}}\n", "min_rungs 4", nil},
		{"sample", "ladder: {per_title: {sample: {max_shots: 0, max_seconds: 0.1}}}\n", "sample.max_seconds 0.1", nil},
		{"unknown field", "ladder: {per_title: {rung: 3}}\n", "field rung not found", nil},
		{"bad mode", "ladder: {mode: dynamic}\n", "ladder.mode \"dynamic\" unknown (per-title, fixed)", nil},
		{"bad preset", "ladder: {defaults: {preset: quick}}\n", "ladder.defaults: preset \"quick\"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(strings.NewReader(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tt.check(t, p)
				// fill is idempotent: a parsed profile (as a workflow
				// history carries it) validates as it is.
				if err := p.Validate(); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrInvalid mentioning %q", err, tt.wantErr)
			}
		})
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
		{"no rungs", "ladder:\n  mode: fixed\n  rungs: []\n", "at least one rung"},
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
	f.Add("segment_seconds: 4\nchunking: {mode: fixed, min_seconds: 4, max_seconds: 8}\nencode: {max_parallel: 2}\non_corrupt: conceal\nladder:\n  rungs:\n    - {height: 480, codec: av1, crf: 35, preset: \"8\", bit_depth: 10}\n    - {height: 240, codec: vp9}\n")
	f.Add("ladder: {defaults: {codec: vp9}, per_title: {crfs: [30, 40, 50], per_shot: false, sample: {max_shots: 2}}}\n")
	f.Add("audio: []\nladder:\n  defaults: {codec: hevc, profile: main10, bit_depth: 10}\n  rungs:\n    - {height: 720}\n    - {height: 360, codec: h264, bit_depth: 8}\n")
	f.Add("audio: [{codec: opus, channels: 6}, {id: stereo, codec: aac, sample_rate: 44100}]\nladder:\n  rungs:\n    - {height: 480}\n")
	f.Add("chunking: {min_seconds: 3, max_seconds: 3.5}\nladder:\n  rungs:\n    - {height: 480, gop_seconds: 0.5}\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(strings.NewReader(s))
		if err == nil {
			if err := p.Validate(); err != nil {
				t.Fatalf("Parse accepted a profile Validate rejects: %v", err)
			}
		}
	})
}

func TestDefaultNewFields(t *testing.T) {
	p := Default()
	if p.SegmentSeconds != 2 || p.Chunking != (Chunking{Mode: ChunkShots, MinSeconds: 2, MaxSeconds: 10}) ||
		p.Encode.MaxParallel != 4 || p.OnCorrupt != OnCorruptFail || p.Conceal() {
		t.Fatalf("defaults: %+v", p)
	}
	if len(p.Audio) != 1 || p.Audio[0] != (Audio{ID: "aac-128k", Codec: "aac", BitrateKbps: 128, Channels: 2, SampleRate: 48000}) {
		t.Fatalf("audio: %+v", p.Audio)
	}
	for _, r := range p.Ladder.Rungs {
		if r.BitDepth != 8 || r.Profile != "high" {
			t.Errorf("rung %s: %+v", r.ID, r.Codec)
		}
	}
}

// TestZeroNewFieldsValid: a profile serialised before the chunking, audio
// and segment fields existed (as in recorded workflow histories) still
// validates.
func TestZeroNewFieldsValid(t *testing.T) {
	p := Profile{Name: "old", Ladder: Ladder{Mode: "fixed", Rungs: []Rung{{ID: "360p", Height: 360,
		Codec: Codec{Codec: "h264", CRF: 25, Preset: "medium", Profile: "high", GOPSeconds: 2}}}}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseCodecsAndChunking(t *testing.T) {
	rung := func(extra string) string {
		return "ladder:\n  rungs:\n    - {height: 480" + extra + "}\n"
	}
	tests := []struct {
		name    string
		yaml    string
		wantErr string // substring; empty means valid
		check   func(t *testing.T, p Profile)
	}{
		{"hevc 10-bit drops inherited high", rung(", codec: hevc, bit_depth: 10"), "", func(t *testing.T, p Profile) {
			if r := p.Ladder.Rungs[0]; r.Profile != "" || r.BitDepth != 10 || r.CRF != 23 {
				t.Errorf("rung %+v", r.Codec)
			}
		}},
		{"h264 10-bit drops inherited high", rung(", bit_depth: 10"), "", func(t *testing.T, p Profile) {
			if r := p.Ladder.Rungs[0]; r.Profile != "" {
				t.Errorf("profile %q", r.Profile)
			}
		}},
		{"h264 high10", rung(", bit_depth: 10, profile: high10"), "", nil},
		{"vp9 numeric preset", rung(", codec: vp9, crf: 40, preset: \"5\""), "", nil},
		{"av1 crf 63", rung(", codec: av1, crf: 63, preset: \"10\""), "", nil},
		{"vp9 crf 63 ok, h264 not", rung(", crf: 63"), "crf 63 out of range 0–51 for h264", nil},
		{"av1 crf 64", rung(", codec: av1, crf: 64"), "crf 64 out of range 1–63 for av1", nil},
		{"vp9 preset 9", rung(", codec: vp9, preset: \"9\""), "preset \"9\" for vp9", nil},
		{"x264 numeric preset", rung(", preset: \"3\""), "preset \"3\" for h264", nil},
		{"vp9 with h264 profile", rung(", codec: vp9, profile: high"), "vp9 takes no profile", nil},
		{"hevc bad profile", rung(", codec: hevc, profile: high"), "profile \"high\" (want one of main", nil},
		{"8-bit profile at 10 bits", rung(", bit_depth: 10, profile: main"), "cannot carry 10-bit", nil},
		{"bit depth 12", rung(", bit_depth: 12"), "bit_depth 12 (want 8 or 10)", nil},
		{"alias not accepted", rung(", codec: avc"), "codec \"avc\" unsupported (supported: h264, hevc, vp9, av1)", nil},
		{"gop follows segment", "segment_seconds: 4\n" + rung(""), "", func(t *testing.T, p Profile) {
			if g := p.Ladder.Rungs[0].GOPSeconds; g != 4 {
				t.Errorf("gop %g", g)
			}
		}},
		{"gop divides segment", "segment_seconds: 6\n" + rung(", gop_seconds: 2"), "", nil},
		{"gop not dividing segment", "segment_seconds: 3\nchunking: {min_seconds: 3, max_seconds: 9}\n" + rung(", gop_seconds: 2"), "gop_seconds 2 must divide segment_seconds 3", nil},
		{"segment range", "segment_seconds: -1\n" + rung(""), "segment_seconds -1 out of range", nil},
		{"chunking modes", "chunking: {mode: fixed}\n" + rung(""), "", func(t *testing.T, p Profile) {
			if p.Chunking.Mode != ChunkFixed || p.Chunking.MinSeconds != 2 || p.Chunking.MaxSeconds != 10 {
				t.Errorf("chunking %+v", p.Chunking)
			}
		}},
		{"chunking off", "chunking: {mode: \"off\"}\n" + rung(""), "", nil},
		{"chunking bad mode", "chunking: {mode: scenes}\n" + rung(""), "chunking.mode \"scenes\" unknown", nil},
		{"chunking min below segment", "segment_seconds: 4\nchunking: {min_seconds: 3}\n" + rung(""), "chunking.min_seconds 3 below segment_seconds 4", nil},
		{"chunking max below min", "chunking: {min_seconds: 6, max_seconds: 4}\n" + rung(""), "chunking.max_seconds 4 below chunking.min_seconds 6", nil},
		{"chunking no segment multiple", "chunking: {min_seconds: 3, max_seconds: 3.5}\n" + rung(""), "no multiple of segment_seconds 2", nil},
		{"chunking unknown field", "chunking: {min: 3}\n" + rung(""), "field min not found", nil},
		{"max_parallel", "encode: {max_parallel: 16}\n" + rung(""), "", func(t *testing.T, p Profile) {
			if p.Encode.MaxParallel != 16 {
				t.Errorf("encode %+v", p.Encode)
			}
		}},
		{"max_parallel negative", "encode: {max_parallel: -1}\n" + rung(""), "encode.max_parallel -1 out of range", nil},
		{"on_corrupt conceal", "on_corrupt: conceal\n" + rung(""), "", func(t *testing.T, p Profile) {
			if !p.Conceal() {
				t.Error("not concealing")
			}
		}},
		{"on_corrupt bad", "on_corrupt: ignore\n" + rung(""), "on_corrupt \"ignore\" unknown", nil},
		{"no audio", "audio: []\n" + rung(""), "", func(t *testing.T, p Profile) {
			if len(p.Audio) != 0 {
				t.Errorf("audio %+v", p.Audio)
			}
		}},
		{"audio defaults", "audio: [{codec: opus}, {codec: AAC, channels: 6, bitrate_kbps: 384}]\n" + rung(""), "", func(t *testing.T, p Profile) {
			want := []Audio{{ID: "opus-96k", Codec: "opus", BitrateKbps: 96, Channels: 2, SampleRate: 48000},
				{ID: "aac-384k", Codec: "aac", BitrateKbps: 384, Channels: 6, SampleRate: 48000}}
			if len(p.Audio) != 2 || p.Audio[0] != want[0] || p.Audio[1] != want[1] {
				t.Errorf("audio %+v", p.Audio)
			}
		}},
		{"audio bad codec", "audio: [{codec: mp3}]\n" + rung(""), "audio[0] (mp3-0k): codec \"mp3\" unsupported", nil},
		{"audio dup id", "audio: [{codec: aac}, {codec: aac}]\n" + rung(""), "audio[1] (aac-128k): duplicate id", nil},
		{"audio channels", "audio: [{codec: aac, channels: 3}]\n" + rung(""), "channels 3 (want 1, 2 or 6)", nil},
		{"opus rate", "audio: [{codec: opus, sample_rate: 44100}]\n" + rung(""), "sample_rate 44100 for opus", nil},
		{"aac rate", "audio: [{codec: aac, sample_rate: 200000}]\n" + rung(""), "sample_rate 200000 out of range 8000–96000", nil},
		{"audio id slash", "audio: [{id: a/b, codec: aac}]\n" + rung(""), "audio[0] (a/b): id must not contain", nil},
		{"several errors at once", "on_corrupt: x\nencode: {max_parallel: 5000}\n" + rung(", codec: av1, crf: 70"), "crf 70 out of range", func(t *testing.T, p Profile) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(strings.NewReader(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tt.check != nil {
					tt.check(t, p)
				}
				// Filling is idempotent and the result validates.
				q := p
				q.Ladder.Rungs = append([]Rung(nil), p.Ladder.Rungs...)
				q.fill()
				if err := q.Validate(); err != nil {
					t.Fatalf("refilled profile invalid: %v", err)
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

func TestSeveralErrorsNamed(t *testing.T) {
	_, err := Parse(strings.NewReader("on_corrupt: x\nencode: {max_parallel: 5000}\nladder:\n  rungs:\n    - {height: 480, codec: av1, crf: 70}\n"))
	for _, want := range []string{"on_corrupt \"x\"", "encode.max_parallel 5000", "ladder.rungs[0] (480p): crf 70"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %q", err, want)
		}
	}
}

func TestRungSpec(t *testing.T) {
	p, err := Parse(strings.NewReader("ladder:\n  rungs:\n    - {height: 480, codec: hevc, bit_depth: 10, crf: 28}\n    - {height: 240, bitrate_kbps: 400}\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := p.Ladder.Rungs[0].Spec(854, 480, 23.976)
	if s.Codec != "hevc" || s.BitDepth != 10 || s.CRF != 28 || s.GOPFrames != 48 || s.Width != 854 || s.ID != "480p" {
		t.Errorf("spec %+v", s)
	}
	v := p.Ladder.Rungs[1].Spec(426, 240, 0)
	if v.CRF != 0 || v.BitrateKbps != 400 || v.MaxrateKbps != 600 || v.BufsizeKbps != 1200 || v.GOPFrames != 50 || v.Profile != "high" {
		t.Errorf("spec %+v", v)
	}
	if n := p.SegmentFrames(29.97); n != 60 {
		t.Errorf("segment frames %d", n)
	}
}
