package vision

import (
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

func TestLevelsAgreeWithSignalstats(t *testing.T) {
	cases := []struct{ name, clip, vf string }{
		{"synthetic full-range bars", "smptehdbars=s=320x240:r=25:d=2", "eq=contrast=1.4:brightness=0.05,scale=out_range=full"},
		{"synthetic in range", "testsrc2=s=320x240:r=25:d=2", "scale=out_range=tv"},
		{"synthetic out of range stretch", "testsrc2=s=320x240:r=25:d=4", "eq=contrast=1.6:enable='between(t,1,2.5)'"},
		{"bunny", "corpus:bigbuckbunny.mp4", ""},
		{"1080p full range", "corpus:VID_1920x1080_cabac_temporal_direct.264", ""},
		{"car park", "corpus:car-detection.mp4", ""},
	}
	re := regexp.MustCompile(`lavfi\.signalstats\.BRNG=` + numRe)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var y4m string
			if len(c.clip) > 7 && c.clip[:7] == "corpus:" {
				y4m = decodeY4M(t, corpusClip(t, c.clip[7:]), nil)
			} else {
				y4m = lavfiY4M(t, c.clip, c.vf)
			}
			log := mediatest.Filter(t, y4m, "signalstats=stat=brng,metadata=mode=print:key=lavfi.signalstats.BRNG")
			var ff []float64
			for _, m := range re.FindAllStringSubmatch(log, -1) {
				v, _ := strconv.ParseFloat(m[1], 64)
				ff = append(ff, v)
			}
			rep := analyzeY4M(t, y4m, only(CheckLevels))
			got := rep.SeriesByName("levels.brng")
			if len(ff) != len(got) {
				t.Fatalf("signalstats %d frames, reel %d", len(ff), len(got))
			}
			worst := 0.0
			for i := range ff {
				worst = math.Max(worst, math.Abs(ff[i]-float64(got[i])))
			}
			if worst > 1e-5 {
				t.Errorf("BRNG differs by up to %g", worst)
			}
			// Events from ffmpeg's values with the same rule.
			var want []Event
			in := false
			for i, v := range ff {
				if v > 0.01 && !in {
					want = append(want, Event{StartFrame: i})
					in = true
				} else if v <= 0.01 && in {
					want[len(want)-1].EndFrame = i
					in = false
				}
			}
			if in {
				want[len(want)-1].EndFrame = len(ff)
			}
			ev := rep.EventsOf(CheckLevels)
			if len(ev) != len(want) {
				t.Fatalf("events: from signalstats %+v, reel %+v", want, ev)
			}
			for i := range ev {
				if ev[i].StartFrame != want[i].StartFrame || ev[i].EndFrame != want[i].EndFrame {
					t.Errorf("event %d: signalstats %d–%d, reel %d–%d", i, want[i].StartFrame, want[i].EndFrame, ev[i].StartFrame, ev[i].EndFrame)
				}
			}
			t.Logf("max |ΔBRNG| %g, %d events", worst, len(ev))
		})
	}
}
