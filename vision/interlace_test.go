package vision

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

func TestInterlaceAgreesWithIdet(t *testing.T) {
	cases := []struct {
		name, clip, vf string
		want           string // "tff", "bff", "progressive"
	}{
		{"tinterlace top", "testsrc2=s=320x240:r=50:d=4", "tinterlace=mode=interleave_top", "tff"},
		{"tinterlace bottom", "testsrc2=s=320x240:r=50:d=4", "tinterlace=mode=interleave_bottom", "bff"},
		{"mandelbrot interlaced", "mandelbrot=s=320x240:r=50,trim=duration=4", "tinterlace=mode=interleave_top", "tff"},
		{"progressive", "testsrc2=s=320x240:r=25:d=4", "", "progressive"},
		{"bunny", "corpus:bigbuckbunny.mp4", "", ""},
		{"city", "corpus:cityCC0.mpg", "", ""},
		{"flower", "corpus:VID_1280x720_cabac_temporal_direct.264", "", ""},
	}
	re := regexp.MustCompile(`(Single|Multi) frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+) Undetermined:\s*(\d+)`)
	rr := regexp.MustCompile(`Repeated Fields: Neither:\s*(\d+) Top:\s*(\d+) Bottom:\s*(\d+)`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var y4m string
			if len(c.clip) > 7 && c.clip[:7] == "corpus:" {
				y4m = decodeY4M(t, corpusClip(t, c.clip[7:]), nil)
			} else {
				y4m = lavfiY4M(t, c.clip, c.vf)
			}
			log := mediatest.Filter(t, y4m, "idet")
			rep := analyzeY4M(t, y4m, only(CheckInterlace))
			s := rep.Interlace
			if s == nil {
				t.Fatal("no interlace stats")
			}
			for _, m := range re.FindAllStringSubmatch(log, -1) {
				var v [4]int
				for k := range v {
					v[k], _ = strconv.Atoi(m[k+2])
				}
				got := [4]int{s.SingleTFF, s.SingleBFF, s.SingleProgressive, s.SingleUndetermined}
				if m[1] == "Multi" {
					got = [4]int{s.MultiTFF, s.MultiBFF, s.MultiProgressive, s.MultiUndetermined}
				}
				if got != v {
					t.Errorf("%s frame detection: idet TFF/BFF/prog/undet %v, reel %v", m[1], v, got)
				}
			}
			if m := rr.FindStringSubmatch(log); m != nil {
				var v [3]int
				for k := range v {
					v[k], _ = strconv.Atoi(m[k+1])
				}
				if got := [3]int{s.RepeatNeither, s.RepeatTop, s.RepeatBottom}; got != v {
					t.Errorf("repeated fields: idet %v, reel %v", v, got)
				}
			} else {
				t.Fatal("no idet summary in the log")
			}
			ev := rep.EventsOf(CheckInterlace)
			switch c.want {
			case "tff", "bff":
				if len(ev) != 1 || !regexp.MustCompile(map[string]string{"tff": "top field first", "bff": "bottom field first"}[c.want]).MatchString(ev[0].Detail) {
					t.Errorf("want a %s interlace event, got %+v", c.want, ev)
				}
			case "progressive":
				if len(ev) != 0 {
					t.Errorf("progressive clip reported interlaced: %+v", ev)
				}
			}
			t.Logf("%+v", *s)
		})
	}
}
