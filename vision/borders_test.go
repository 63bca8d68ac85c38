package vision

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
)

// frameRects reads a y4m file and returns each frame's picture bounds.
func frameRects(t *testing.T, path string, limit float64) ([]rect, int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := frame.NewY4MReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []rect
	for {
		fr, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, frameBounds(fr, limit))
	}
	return out, r.Header().Width, r.Header().Height
}

const letterboxGraph = "testsrc2=s=320x180:r=25:d=3,pad=320:240:0:30:black[a];" +
	"testsrc2=s=240x240:r=25:d=3,pad=320:240:40:0:black[b];" +
	"mandelbrot=s=320x240:r=25,trim=duration=3[c];" +
	"[a][b][c]concat=n=3:v=1:a=0"

func TestBordersAgreeWithCropdetect(t *testing.T) {
	cases := []struct {
		name, clip string
		limit      float64
		round      int
	}{
		{"synthetic letterbox/pillarbox", "synthetic", 24.0 / 255, 16},
		{"synthetic round 2", "synthetic", 24.0 / 255, 2},
		{"synthetic limit 0.3", "synthetic", 0.3, 4},
		{"city", "cityCC0.mpg", 24.0 / 255, 16},
		{"city limit 0.4", "cityCC0.mpg", 0.4, 8},
		{"bunny", "bigbuckbunny.mp4", 0.2, 16},
		{"car park", "car-detection.mp4", 0.35, 16},
	}
	re := regexp.MustCompile(`x1:(\d+) x2:(\d+) y1:(\d+) y2:(\d+) w:(\d+) h:(\d+) x:(\d+) y:(\d+)`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var y4m string
			if c.clip == "synthetic" {
				y4m = lavfiY4M(t, letterboxGraph, "")
			} else {
				y4m = decodeY4M(t, corpusClip(t, c.clip), nil)
			}
			log := mediatest.Filter(t, y4m, fmt.Sprintf("cropdetect=limit=%g:round=%d:reset=0:skip=2", c.limit, c.round))
			rects, w, h := frameRects(t, y4m, c.limit)
			got := cropSeries(rects, w, h, 2, c.round)[2:]
			ms := re.FindAllStringSubmatch(log, -1)
			if len(ms) != len(got) {
				t.Fatalf("ffmpeg logged %d frames, reel %d", len(ms), len(got))
			}
			bad := 0
			for i, m := range ms {
				var v [8]int
				for k := range v {
					v[k], _ = strconv.Atoi(m[k+1])
				}
				want := Crop{v[4], v[5], v[6], v[7]}
				if got[i] != want {
					bad++
					if bad < 5 {
						t.Errorf("frame %d: cropdetect %+v (x1 %d x2 %d y1 %d y2 %d), reel %+v", i+2, want, v[0], v[1], v[2], v[3], got[i])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d frames differ", bad, len(ms))
			}
			t.Logf("final crop %+v", got[len(got)-1])
		})
	}
}

func TestBordersPerShot(t *testing.T) {
	y4m := lavfiY4M(t, letterboxGraph, "")
	rep := analyzeY4M(t, y4m, only(CheckBorders, CheckShots))
	ev := rep.EventsOf(CheckBorders)
	if len(ev) != 2 {
		t.Fatalf("border events %+v, shots %+v", ev, rep.Shots)
	}
	want := []struct {
		start, end int
		kind       string
	}{{0, 75, "letterbox"}, {75, 150, "pillarbox"}}
	for i, w := range want {
		if abs(ev[i].StartFrame-w.start) > 1 || abs(ev[i].EndFrame-w.end) > 1 || !regexp.MustCompile(w.kind).MatchString(ev[i].Detail) {
			t.Errorf("event %d: %d–%d %s, want %d–%d %s", i, ev[i].StartFrame, ev[i].EndFrame, ev[i].Detail, w.start, w.end, w.kind)
		}
	}
	t.Logf("%s | %s", ev[0].Detail, ev[1].Detail)
}
