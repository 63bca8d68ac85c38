package activities

import (
	"math"
	"slices"
	"testing"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
)

// series returns n frames scoring base, with the given frames set.
func series(n int, base float64, set map[int]float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = base
	}
	for i, v := range set {
		s[i] = v
	}
	return s
}

func TestSelectMoments(t *testing.T) {
	type m = report.Moment
	tests := []struct {
		name     string
		vmaf     []float64
		fraction float64
		gap      int
		limit    int
		want     []m
	}{
		{name: "empty", vmaf: nil, fraction: 0.01, gap: 1, limit: 10, want: nil},
		{name: "one frame of a small series", vmaf: []float64{90, 80, 70, 85}, fraction: 0.01, gap: 1, limit: 10,
			want: []m{{StartFrame: 2, EndFrame: 3, Frame: 2, VMAF: 70}}},
		{name: "1% of 1000 is 10 frames: two runs, within the gap and apart", fraction: 0.01, gap: 2, limit: 10,
			vmaf: series(1000, 95, map[int]float64{
				100: 50, 101: 40, 103: 45, 105: 55, 106: 52, // one run: gaps of 0, 1, 1, 0 frames
				700: 30, 701: 60, 702: 61, 703: 62, 704: 63, // another, lower
			}),
			want: []m{
				{StartFrame: 700, EndFrame: 705, Frame: 700, VMAF: 30},
				{StartFrame: 100, EndFrame: 107, Frame: 101, VMAF: 40},
			}},
		{name: "a gap wider than allowed splits runs", fraction: 0.01, gap: 2, limit: 10,
			vmaf: series(200, 95, map[int]float64{10: 50, 14: 40}),
			want: []m{
				{StartFrame: 14, EndFrame: 15, Frame: 14, VMAF: 40},
				{StartFrame: 10, EndFrame: 11, Frame: 10, VMAF: 50},
			}},
		{name: "adjacent frames merge with gap 0", fraction: 0.01, gap: 0, limit: 10,
			vmaf: series(300, 95, map[int]float64{10: 50, 11: 40, 13: 45}),
			want: []m{
				{StartFrame: 10, EndFrame: 12, Frame: 11, VMAF: 40},
				{StartFrame: 13, EndFrame: 14, Frame: 13, VMAF: 45},
			}},
		{name: "ties: the earlier frames are the worst, and the earlier moment first", fraction: 0.01, gap: 1, limit: 10,
			vmaf: series(300, 95, map[int]float64{200: 50, 20: 50, 120: 50, 121: 50}),
			want: []m{
				{StartFrame: 20, EndFrame: 21, Frame: 20, VMAF: 50},
				{StartFrame: 120, EndFrame: 122, Frame: 120, VMAF: 50},
				// frame 200 ties too but 1% of 300 is 3 frames
			}},
		{name: "a flat series: the first frame", fraction: 0.01, gap: 1, limit: 10, vmaf: series(50, 100, nil),
			want: []m{{StartFrame: 0, EndFrame: 1, Frame: 0, VMAF: 100}}},
		{name: "cap: the lowest moments only", fraction: 0.1, gap: 0, limit: 2,
			vmaf: series(30, 95, map[int]float64{3: 60, 9: 50, 20: 70}),
			want: []m{
				{StartFrame: 9, EndFrame: 10, Frame: 9, VMAF: 50},
				{StartFrame: 3, EndFrame: 4, Frame: 3, VMAF: 60},
			}},
		{name: "NaN frames are never the worst", fraction: 0.5, gap: 0, limit: 10,
			vmaf: []float64{math.NaN(), 80, math.NaN(), 90},
			want: []m{
				{StartFrame: 1, EndFrame: 2, Frame: 1, VMAF: 80},
				{StartFrame: 3, EndFrame: 4, Frame: 3, VMAF: 90},
			}},
		{name: "no moments wanted", fraction: 0.01, gap: 1, limit: 0, vmaf: []float64{1, 2}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := selectMoments(tt.vmaf, tt.fraction, tt.gap, tt.limit)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestSelectMomentsLargeSeries: 1% of a long series, one moment per
// isolated bad frame, capped at the limit.
func TestSelectMomentsLargeSeries(t *testing.T) {
	vmaf := make([]float64, 100000)
	for i := range vmaf {
		vmaf[i] = 90 + float64(i%7)
	}
	for k := range 2000 { // 2000 isolated bad frames, 50 frames apart
		vmaf[k*50] = 20 + float64(k%500)/10
	}
	got := selectMoments(vmaf, 0.01, 12, 10)
	if len(got) != 10 {
		t.Fatalf("%d moments, want 10", len(got))
	}
	for i, m := range got {
		if m.EndFrame-m.StartFrame != 1 || m.Frame != m.StartFrame || m.VMAF != vmaf[m.Frame] {
			t.Errorf("moment %d: %+v", i, m)
		}
		if i > 0 && m.VMAF < got[i-1].VMAF {
			t.Errorf("moment %d (%g) is lower than the one before (%g)", i, m.VMAF, got[i-1].VMAF)
		}
	}
	if got[0].VMAF != 20 || got[0].Frame != 0 {
		t.Errorf("worst moment %+v, want frame 0 at 20", got[0])
	}
}

func TestThumbSize(t *testing.T) {
	tests := []struct {
		w, h  int
		sar   string
		width int
		ww    int
		wh    int
	}{
		{1920, 1080, "1:1", 320, 320, 180},
		{640, 480, "", 320, 320, 240},
		{200, 100, "1:1", 320, 200, 100},    // narrower than asked
		{720, 576, "64:45", 320, 320, 180},  // anamorphic 16:9 PAL
		{720, 480, "32:27", 1000, 852, 480}, // wider than stored once displayed
		{0, 0, "", 320, 320, 0},             // unknown: the first picture decides
		{1280, 534, "1:1", 320, 320, 134},   // 2.39:1, even height
	}
	for _, tt := range tests {
		src := media.SourceInfo{}
		if tt.w > 0 {
			src.Streams = []media.StreamInfo{{Type: "video", Width: tt.w, Height: tt.h, SampleAspect: tt.sar}}
		}
		w, h := thumbSize(src, tt.width)
		if w != tt.ww || h != tt.wh {
			t.Errorf("%dx%d SAR %q at width %d: %dx%d, want %dx%d", tt.w, tt.h, tt.sar, tt.width, w, h, tt.ww, tt.wh)
		}
	}
}
