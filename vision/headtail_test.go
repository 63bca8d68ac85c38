package vision

import (
	"os"
	"strings"
	"testing"
)

// slateCard is a lavfi source of d seconds of a static slate: light text on
// a dark card (drawtext with DejaVu when installed, else a flat card with
// white boxes standing in for the text).
func slateCard(d string) string {
	card := "color=c=0x181818:s=320x240:r=25:d=" + d
	const font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
	if _, err := os.Stat(font); err == nil {
		return card + ",drawtext=fontfile=" + font + ":text='REEL QC':fontcolor=white:fontsize=44:x=(w-tw)/2:y=60" +
			",drawtext=fontfile=" + font + ":text='TAKE 42':fontcolor=white:fontsize=44:x=(w-tw)/2:y=140"
	}
	return card + ",drawbox=x=40:y=60:w=240:h=30:color=white:t=fill,drawbox=x=60:y=140:w=200:h=30:color=white:t=fill"
}

func TestHeadTailSynthetic(t *testing.T) {
	type want struct {
		start, end int    // end −1: the end of the clip
		what       string // the start of Detail
	}
	cases := []struct {
		name, graph string
		want        []want
	}{
		{"bars head, slate tail",
			"smptebars=s=320x240:r=25:d=2[a];testsrc2=s=320x240:r=25:d=4[b];" + slateCard("1.5") + "[c];[a][b][c]concat=n=3:v=1:a=0",
			[]want{{0, 50, "colour bars at the head"}, {150, -1, "slate at the tail"}}},
		{"slate head, HD bars tail",
			slateCard("1") + "[a];mandelbrot=s=320x240:r=25,trim=duration=3[b];smptehdbars=s=320x240:r=25:d=1[c];[a][b][c]concat=n=3:v=1:a=0",
			[]want{{0, 25, "slate at the head"}, {100, -1, "colour bars at the tail"}}},
		{"no bars: testsrc2", "testsrc2=s=320x240:r=25:d=4", nil},
		{"no bars: mandelbrot", "mandelbrot=s=320x240:r=25,trim=duration=4", nil},
		{"no bars: cut and fade", "testsrc2=s=320x240:r=25:d=2[a];mandelbrot=s=320x240:r=25,trim=duration=2,fade=t=in:d=1[b];[a][b]concat=n=2:v=1:a=0", nil},
		{"no bars: bunny", "corpus:bigbuckbunny.mp4", nil},
		{"no bars: city", "corpus:cityCC0.mpg", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var y4m string
			if strings.HasPrefix(c.graph, "corpus:") {
				y4m = decodeY4M(t, corpusClip(t, c.graph[7:]), nil)
			} else {
				y4m = lavfiY4M(t, c.graph, "")
			}
			rep := analyzeY4M(t, y4m, only(CheckHeadTail))
			got := rep.EventsOf(CheckHeadTail)
			if len(got) != len(c.want) {
				t.Fatalf("events %+v, want spans %v", got, c.want)
			}
			for i, w := range c.want {
				if w.end < 0 {
					w.end = rep.Frames
				}
				if got[i].StartFrame != w.start || got[i].EndFrame != w.end || !strings.HasPrefix(got[i].Detail, w.what) {
					t.Errorf("event %d: frames %d–%d (%s), want %d–%d (%s)", i, got[i].StartFrame, got[i].EndFrame, got[i].Detail, w.start, w.end, w.what)
				} else {
					t.Logf("%s: frames %d–%d %s–%s", got[i].Detail, got[i].StartFrame, got[i].EndFrame, got[i].StartTC, got[i].EndTC)
				}
			}
		})
	}
}
